" Indentation of .hub files: one level (shiftwidth, 2 spaces) inside { }, [ ] and ( ), as
" `hubc fmt` writes them. The lines of a text block ("""...""") and of a block comment keep the
" indentation they have.

if exists("b:did_indent")
  finish
endif
let b:did_indent = 1

setlocal autoindent
setlocal nosmartindent
setlocal nocindent
setlocal indentexpr=HubIndent(v:lnum)
setlocal indentkeys=0{,0},0),0],!^F,o,O
let b:undo_indent = "setlocal autoindent< smartindent< cindent< indentexpr< indentkeys<"

if exists("*HubIndent")
  finish
endif

" Whether line lnum starts inside a text block or a block comment, by the syntax of its first
" column: such lines keep their indentation, and do not set that of the lines after them.
function! s:InSpan(lnum) abort
  for id in synstack(a:lnum, 1)
    if synIDattr(id, "name") =~# '^\%(hubTextBlock\|hubBlockComment\)$'
      return 1
    endif
  endfor
  return 0
endfunction

" The line without strings and comments, so that their brackets do not count.
function! s:Code(line) abort
  let code = substitute(a:line, '"\%([^"\\]\|\\.\)*"', '""', 'g')
  let code = substitute(code, '//.*$', '', '')
  return substitute(code, '/\*.\{-}\*/', '', 'g')
endfunction

function! HubIndent(lnum) abort
  let syntax = exists("b:current_syntax")
  if syntax && s:InSpan(a:lnum)
    return -1
  endif
  let prev = prevnonblank(a:lnum - 1)
  " After a text block or a block comment, the line that opened it sets the indentation.
  while syntax && prev > 1 && s:InSpan(prev)
    let prev = prevnonblank(prev - 1)
  endwhile
  if prev == 0
    return 0
  endif
  let ind = indent(prev)
  let before = s:Code(getline(prev))
  " Opened on the previous line and not closed there.
  let opened = len(substitute(before, '[^{[(]', '', 'g'))
  let closed = len(substitute(before, '[^}\])]', '', 'g'))
  if opened > closed
    let ind += shiftwidth()
  elseif opened < closed && before !~# '^\s*[}\])]'
    " `x = [` ... `"a", "b"]`: the closing line ends the value, back to the level it opened.
    let ind -= shiftwidth()
  endif
  if getline(a:lnum) =~# '^\s*[}\])]'
    let ind -= shiftwidth()
  endif
  return max([ind, 0])
endfunction
