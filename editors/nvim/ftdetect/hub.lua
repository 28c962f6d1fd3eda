-- `*.hub` files are the `hub` filetype.
--
-- Neovim 0.8 and later detect filetypes in Lua: vim.filetype.add is the way to extend them.
-- Neovim 0.7 has vim.filetype.add too, but uses it only with `g:do_filetype_lua = 1`, so it
-- also gets an autocommand, which `setfiletype` keeps from overriding a filetype already set.
if vim.filetype and vim.filetype.add then
  vim.filetype.add({ extension = { hub = "hub" } })
end
if vim.fn.has("nvim-0.8") == 0 then
  vim.cmd([[autocmd BufRead,BufNewFile *.hub setfiletype hub]])
end
