-- Checks editors/nvim on the files given, without a language server. From the repository root:
--
--   nvim --headless -u NONE -i NONE -n --cmd "set rtp^=editors/nvim" \
--     --cmd "filetype plugin indent on" --cmd "syntax on" \
--     -c "luafile tests/nvim/runtime.lua" $(find examples stdlib -name '*.hub')
--
-- For each file: the filetype is `hub`, the syntax, ftplugin and indent scripts loaded without
-- an error, the first non-blank token is highlighted by a hub syntax group, and re-indenting
-- the whole file (`gg=G`) leaves it as it is, since the files are laid out by `hubc fmt`.
-- Prints one line per file on stdout and exits with 1 when any check failed.

local failed = 0

local function say(line)
  io.stdout:write(line .. "\n")
  io.stdout:flush()
end

local function check_buffer()
  local problems = {}
  if vim.v.errmsg ~= "" then
    table.insert(problems, "error: " .. vim.v.errmsg)
    vim.v.errmsg = ""
  end
  if vim.bo.filetype ~= "hub" then
    table.insert(problems, "filetype is '" .. vim.bo.filetype .. "'")
  end
  if vim.b.current_syntax ~= "hub" then
    table.insert(problems, "syntax is " .. tostring(vim.b.current_syntax))
  end
  if vim.bo.shiftwidth ~= 2 or not vim.bo.expandtab or vim.bo.commentstring ~= "// %s" then
    table.insert(problems, "ftplugin/hub.lua did not set the indentation and comments")
  end
  if vim.bo.indentexpr ~= "HubIndent(v:lnum)" then
    table.insert(problems, "indent/hub.vim did not set indentexpr")
  end

  local first = vim.fn.search([[\S]], "cnw")
  if first > 0 then
    local col = vim.fn.match(vim.fn.getline(first), [[\S]]) + 1
    local name = vim.fn.synIDattr(vim.fn.synID(first, col, 1), "name")
    if not name:match("^hub") then
      table.insert(problems, string.format("line %d is not highlighted ('%s')", first, name))
    end
  end

  local before = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  vim.cmd("silent normal! gg=G")
  local after = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  for i = 1, math.max(#before, #after) do
    if before[i] ~= after[i] then
      table.insert(problems, string.format("re-indenting changes line %d to '%s'", i, after[i] or ""))
      break
    end
  end
  vim.cmd("silent edit!")
  return problems
end

local ok, err = pcall(function()
  local count = vim.fn.argc()
  if count == 0 then
    error("give the .hub files to check as arguments")
  end
  for i = 0, count - 1 do
    local file = vim.fn.argv(i)
    vim.cmd("silent edit " .. vim.fn.fnameescape(file))
    local problems = check_buffer()
    if #problems == 0 then
      say("ok   " .. file)
    else
      failed = failed + 1
      say("FAIL " .. file .. ": " .. table.concat(problems, "; "))
    end
  end
  say(string.format("nvim-runtime: %d passed, %d failed", count - failed, failed))
end)
if not ok then
  say("FAIL " .. tostring(err))
  failed = failed + 1
end
vim.cmd(failed == 0 and "qall!" or "cquit 1")
