-- A smoke test of `hubc lsp` through Neovim's own LSP client and editors/nvim (Neovim 0.7 or
-- later). From the repository root:
--
--   HUBC=target/debug/hubc nvim --headless -u NONE -i NONE -n \
--     --cmd "set rtp^=editors/nvim" -c "luafile tests/nvim/smoke.lua" examples/drifting/campus.hub
--
-- It starts the server with require("hubc").setup, detects the filetype of the file given (which
-- must come out `hub`), waits until the server publishes a diagnostic with the expected code
-- for it, asks for hover at one position and for the definition at another, and checks that the
-- hover says something and that the definition is in the expected file. It prints one line per
-- check and a summary on stdout, and exits with 0 when every check passed, 1 otherwise.
--
-- Environment (positions are 1-based line:column, as editors show them; columns count bytes,
-- which are characters on the ASCII lines used here):
--   HUBC                  the hubc binary (required)
--   HUBC_EXPECT_CODE      the diagnostic code to wait for   (default hub::policy::below_base)
--   HUBC_HOVER            where to hover                     (default 55:3, a key of that line)
--   HUBC_DEFINITION       where to go to the definition      (default 43:23, `campus_lab`)
--   HUBC_DEFINITION_FILE  the end of the path the definition must be in
--                                                            (default drifting/archetypes.hub)
--   HUBC_TIMEOUT_MS       how long to wait for the diagnostics (default 20000)
-- The defaults fit examples/drifting/campus.hub.

local failures = {}
local function say(line)
  io.stdout:write(line .. "\n")
  io.stdout:flush()
end
local function check(ok, what, detail)
  say(string.format("%s %s%s", ok and "ok  " or "FAIL", what, detail and (": " .. detail) or ""))
  if not ok then
    table.insert(failures, what)
  end
  return ok
end

local function env(name, default)
  local value = os.getenv(name)
  if value == nil or value == "" then
    return default
  end
  return value
end

--- "55:3" -> an LSP position (0-based line and character).
local function position(spec, name)
  local line, col = spec:match("^(%d+):(%d+)$")
  if not line then
    error(name .. " must be LINE:COLUMN, got " .. spec)
  end
  return { line = tonumber(line) - 1, character = tonumber(col) - 1 }
end

--- The results of a buf_request_sync, or nil and why there are none.
local function request(bufnr, method, pos, timeout)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = pos,
  }
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
  if responses == nil then
    return nil, err or "no response"
  end
  local results = {}
  for _, response in pairs(responses) do
    if response.error then
      return nil, vim.inspect(response.error)
    end
    if response.result ~= nil and response.result ~= vim.NIL then
      table.insert(results, response.result)
    end
  end
  if #results == 0 then
    return nil, "an empty result"
  end
  return results
end

--- The text of a hover's contents: MarkupContent, a MarkedString or a list of them.
local function hover_text(contents)
  local lines = {}
  for _, line in ipairs(vim.lsp.util.convert_input_to_markdown_lines(contents)) do
    if line:match("%S") then
      table.insert(lines, line)
    end
  end
  return table.concat(lines, "\n")
end

--- The clients attached to a buffer: vim.lsp.get_clients is 0.10's name, get_active_clients
--- takes a filter from 0.8 on, and 0.7 has buf_get_clients.
local function attached_clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  if vim.fn.has("nvim-0.8") == 1 then
    return vim.lsp.get_active_clients({ bufnr = bufnr })
  end
  return vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
end

--- The files a definition answer points at: a Location, a list of Locations or LocationLinks.
local function definition_files(result)
  if result.uri or result.targetUri then
    result = { result }
  end
  local files = {}
  for _, location in ipairs(result) do
    local uri = location.uri or location.targetUri
    if uri then
      table.insert(files, vim.uri_to_fname(uri))
    end
  end
  return files
end

local function run()
  local hubc = env("HUBC", nil)
  if not hubc then
    error("set HUBC to the hubc binary")
  end
  local code = env("HUBC_EXPECT_CODE", "hub::policy::below_base")
  local hover_at = position(env("HUBC_HOVER", "55:3"), "HUBC_HOVER")
  local definition_at = position(env("HUBC_DEFINITION", "43:23"), "HUBC_DEFINITION")
  local definition_file = env("HUBC_DEFINITION_FILE", "drifting/archetypes.hub")
  local timeout = tonumber(env("HUBC_TIMEOUT_MS", "20000"))

  local bufnr = vim.api.nvim_get_current_buf()
  local file = vim.api.nvim_buf_get_name(bufnr)
  say("file " .. file .. ", server " .. hubc .. " lsp, Neovim " .. tostring(vim.version().major)
    .. "." .. tostring(vim.version().minor) .. "." .. tostring(vim.version().patch))

  require("hubc").setup({ cmd = { hubc, "lsp" } })
  -- -u NONE turns filetype detection off: turn it on and detect the file given, which also
  -- starts the server through the FileType autocommand of setup().
  vim.cmd("filetype plugin indent on")
  vim.cmd("filetype detect")
  if not check(vim.bo[bufnr].filetype == "hub", "filetype", vim.bo[bufnr].filetype) then
    return
  end

  local attached = vim.wait(timeout, function()
    return #attached_clients(bufnr) > 0
  end, 50)
  if not check(attached, "a client is attached") then
    return
  end

  local found = vim.wait(timeout, function()
    for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
      if diagnostic.code == code then
        return true
      end
    end
    return false
  end, 100)
  local seen = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(seen, string.format("%d:%d %s", diagnostic.lnum + 1, diagnostic.col + 1,
      tostring(diagnostic.code)))
  end
  check(found, "a diagnostic " .. code, #seen > 0 and table.concat(seen, ", ") or "none published")
  if found then
    local sources = {}
    for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
      if diagnostic.code == code then
        table.insert(sources, tostring(diagnostic.source))
      end
    end
    check(vim.tbl_contains(sources, "hubc"), "its source is hubc", table.concat(sources, ", "))
  end

  local hovers, hover_err = request(bufnr, "textDocument/hover", hover_at, 10000)
  local text = hovers and hover_text(hovers[1].contents) or ""
  check(text ~= "", string.format("hover at %d:%d", hover_at.line + 1, hover_at.character + 1),
    hovers and text:gsub("\n", " | "):sub(1, 200) or hover_err)

  local definitions, definition_err =
    request(bufnr, "textDocument/definition", definition_at, 10000)
  local files = {}
  for _, result in ipairs(definitions or {}) do
    vim.list_extend(files, definition_files(result))
  end
  local in_file = false
  for _, path in ipairs(files) do
    if path:sub(-#definition_file) == definition_file then
      in_file = true
    end
  end
  check(in_file,
    string.format("definition at %d:%d is in %s", definition_at.line + 1,
      definition_at.character + 1, definition_file),
    definitions and (#files > 0 and table.concat(files, ", ") or "no location") or definition_err)
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  check(false, "the script ran", err)
end
if #failures == 0 then
  say("smoke: passed")
  vim.cmd("qall!")
else
  say(string.format("smoke: %d check(s) failed: %s", #failures, table.concat(failures, "; ")))
  vim.cmd("cquit 1")
end
