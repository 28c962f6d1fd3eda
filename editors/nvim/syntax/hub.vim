" Syntax of .hub files, the configuration language of hubc (see lang/grammar.md).
"
" Keywords are contextual in the language: `tunable`, `locked`, `identity`, `budget` and
" `delete` start a statement only when not followed by `=`, `+=`, `.`, `:` or `{`, and the
" other keywords may be keys too. So keywords are matches with that condition, not `syn keyword`.

if exists("b:current_syntax")
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
" Identifiers and bare keys contain `-`: `leap-prod`, `dask-gateway`.
syn iskeyword @,48-57,_,-

" A word that is not a key: not followed by `=` (but `==`), `+=`, `.` (but `...`), `:` or `{`.
let s:notkey = '\%(\s*\%(=[^=]\|=$\|+=\|\.\%(\.\.\)\@!\|:\|{\)\)\@!'
" Not inside a word or a path: not after a letter, digit, `_`, `-` or `.`.
let s:start = '\%([A-Za-z0-9_.-]\)\@<!'
let s:end = '\%([A-Za-z0-9_-]\)\@!'

" Keys of paths: before `=`, `+=`, `.`, `:` or `{`, and after a `.`.
execute 'syn match hubKey "' . s:start . '[A-Za-z0-9_][A-Za-z0-9_-]*\ze\s*\%(+\==\%(=\)\@!\|\.\%(\.\.\)\@!\|:\|{\)"'
syn match hubKey "\%([A-Za-z0-9_\"]\.\)\@<=[A-Za-z0-9_][A-Za-z0-9_-]*"

" Keywords.
execute 'syn match hubImport "' . s:start . '\%(import\|as\)' . s:end . s:notkey . '"'
execute 'syn match hubDeclaration "' . s:start . '\%(chart\|platform\|archetype\|mixin\|community\|cluster\|instance_type\|schema\|type\)' . s:end . '\ze\s\+[A-Za-z_\"]" nextgroup=hubDeclarationName skipwhite'
syn match hubDeclarationName contained "\"\%([^\"\\]\|\\.\)*\"\|[A-Za-z_][A-Za-z0-9_-]*" nextgroup=hubParentColon skipwhite
" What a declaration builds on: `extends NAME`, a community's `: ARCHETYPE` and `with A, B`.
syn match hubParentColon contained ":" nextgroup=hubParentName skipwhite
syn match hubParentName contained "\"\%([^\"\\]\|\\.\)*\"\|[A-Za-z_][A-Za-z0-9_-]*" nextgroup=hubParentComma,hubParentWith skipwhite
syn match hubParentComma contained "," nextgroup=hubParentName skipwhite skipnl
execute 'syn match hubParentWith contained "with' . s:end . '" nextgroup=hubParentName skipwhite'
execute 'syn match hubParentKeyword "' . s:start . '\%(extends\|with\)' . s:end . '\ze\s\+[A-Za-z_\"]" nextgroup=hubParentName skipwhite'
execute 'syn match hubPolicy "' . s:start . '\%(tunable\|locked\|identity\|budget\|delete\)' . s:end . s:notkey . '"'
execute 'syn match hubKeyword "' . s:start . '\%(required\|check\|matching\|keyed\|by\)' . s:end . s:notkey . '"'
execute 'syn match hubOperatorWord "' . s:start . 'in' . s:end . s:notkey . '"'
execute 'syn match hubBase "' . s:start . 'base' . s:end . s:notkey . '"'
execute 'syn match hubConstant "' . s:start . '\%(true\|false\|null\)' . s:end . s:notkey . '"'

" Types: a built-in type or a capitalised name after `:` (a field), `|` (a union), `<`, `(`, or
" the `=` of `type NAME =`.
syn match hubType "\%(\%([:|<(]\|\<type\s\+[A-Za-z_][A-Za-z0-9_-]*\s*=\)\s*\)\@<=\%(string\|int\|float\|bool\|null\|any\|memory\|binary_memory\|cpu\|cores\|duration\|image\|url\|date\|secret\|list\|map\)\%([A-Za-z0-9_-]\)\@!"
syn match hubType "\%(\%([:|<(]\|\<type\s\+[A-Za-z_][A-Za-z0-9_-]*\s*=\)\s*\)\@<=\u[A-Za-z0-9_]*"

" Calls: image("..."), secret("..."), todo("...").
execute 'syn match hubBuiltin "' . s:start . '\%(image\|secret\|todo\)\ze\s*("'

" Annotations: @reason, @ticket, @expires, @deprecated.
syn match hubAnnotation "@[A-Za-z_][A-Za-z0-9_-]*"

" Numbers: integers, floats, quantities (a number and a unit) and dates.
execute 'syn match hubInteger "' . s:start . '[+-]\=\d[0-9_]*\%([A-Za-z0-9_.-]\)\@!"'
execute 'syn match hubFloat "' . s:start . '[+-]\=\d[0-9_]*\%(\.\d[0-9_]*\%([eE][+-]\=\d\+\)\=\|[eE][+-]\=\d\+\)' . s:end . '"'
execute 'syn match hubQuantity "' . s:start . '[+-]\=\d[0-9_]*\%(\.\d[0-9_]*\)\=\%([eE][+-]\=\d\+\)\=\%([KMGTPE]iB\|[KMGTPE]i\|[KMGTPE]B\|min\|ms\|us\|ns\|[kKMGTPE]\|B\|m\|s\|h\|d\|w\)' . s:end . '\%(+\d\)\@!" contains=hubUnit'
syn match hubUnit contained "\d\@<=[A-Za-z]\+"
execute 'syn match hubDate "' . s:start . '\d\{4}-\d\d-\d\d' . s:end . '"'

" Operators.
syn match hubOperator "+=\|<=\|>=\|==\|!=\|=\|<\|>\||\|\.\.\."

" Strings, their escapes and text blocks. A string stays on one line; a text block is raw.
syn match hubEscapeError contained "\\."
syn match hubEscape contained +\\\%(["\\nrt0]\|u{\x\+}\)+
syn region hubString start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ oneline contains=hubEscape,hubEscapeError
syn region hubTextBlock start=+"""+ end=+"""+ contains=@NoSpell

" Comments. The later of two matches at one place wins: `///` and `//!` over `//`.
syn keyword hubTodo contained TODO FIXME XXX NOTE
syn match hubComment "//.*$" contains=hubTodo,@Spell
syn match hubDocComment "///.*$" contains=hubTodo,@Spell
syn match hubDocComment "//!.*$" contains=hubTodo,@Spell
syn region hubBlockComment start="/\*" end="\*/" contains=hubBlockComment,hubTodo,@Spell

" Text blocks and block comments span lines; .hub files are small enough to parse from the top.
syn sync fromstart

hi def link hubKey Identifier
hi def link hubImport Include
hi def link hubDeclaration Structure
hi def link hubDeclarationName Function
hi def link hubPolicy Statement
hi def link hubKeyword Keyword
hi def link hubParentKeyword Keyword
hi def link hubParentWith Keyword
hi def link hubParentColon Delimiter
hi def link hubParentName Type
hi def link hubOperatorWord Operator
hi def link hubBase Special
hi def link hubConstant Constant
hi def link hubType Type
hi def link hubBuiltin Function
hi def link hubAnnotation PreProc
hi def link hubInteger Number
hi def link hubFloat Float
hi def link hubQuantity Number
hi def link hubUnit Special
hi def link hubDate Constant
hi def link hubOperator Operator
hi def link hubString String
hi def link hubTextBlock String
hi def link hubEscape SpecialChar
hi def link hubEscapeError Error
hi def link hubComment Comment
hi def link hubDocComment SpecialComment
hi def link hubBlockComment Comment
hi def link hubTodo Todo

let b:current_syntax = "hub"
let &cpo = s:cpo_save
unlet s:cpo_save
