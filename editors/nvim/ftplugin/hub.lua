-- Settings for .hub buffers: `//` comments, `///` doc comments continued on Enter, and an
-- indentation of two spaces, as `hubc fmt` writes it.
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = 1

vim.bo.commentstring = "// %s"
-- Doc comments first, so that `///` and `//!` continue as themselves, not as `//`.
vim.bo.comments = "s1:/*,mb:*,ex:*/,:///,://!,://"
vim.bo.expandtab = true
vim.bo.shiftwidth = 2
vim.bo.softtabstop = 2
vim.bo.tabstop = 2
-- Wrap and continue comments, not code; join comment lines without their leaders.
vim.opt_local.formatoptions:remove("t")
vim.opt_local.formatoptions:append("croqj")
-- `gf` on `import archetypes.course` needs the dots read as slashes and the extension added.
vim.bo.suffixesadd = ".hub"
vim.bo.includeexpr = [[substitute(v:fname, '\.', '/', 'g')]]

vim.b.undo_ftplugin = "setlocal commentstring< comments< expandtab< shiftwidth< softtabstop<"
  .. " tabstop< formatoptions< suffixesadd< includeexpr<"
