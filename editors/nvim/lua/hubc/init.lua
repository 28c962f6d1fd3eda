-- Starts `hubc lsp` for .hub buffers, one server per project root, on Neovim 0.7 and later.
--
--   require("hubc").setup()                                   -- `hubc` on PATH
--   require("hubc").setup({ cmd = { "/path/to/hubc", "lsp" } })
--
-- Options (all optional):
--   cmd          the command that runs the server (default { "hubc", "lsp" })
--   filetypes    the filetypes to start it for (default { "hub" })
--   root_dir     function(path) -> directory: the project root of a file (default: the
--                directory holding the nearest `.git` above the file, else the file's directory)
--   on_attach    function(client, bufnr), called when a buffer is attached, as in lspconfig
--   capabilities the client capabilities to announce (default: Neovim's own)
--   settings     sent with workspace/didChangeConfiguration (the server needs none)
--
-- Neovim 0.8 and later have vim.lsp.start, which reuses a running client of the same name and
-- root. Neovim 0.7 lacks it: there a client is started with vim.lsp.start_client, kept per root,
-- and attached to each buffer with vim.lsp.buf_attach_client.

local M = {}

local defaults = {
  cmd = { "hubc", "lsp" },
  filetypes = { "hub" },
  root_dir = nil,
  on_attach = nil,
  capabilities = nil,
  settings = {},
}

M.config = vim.deepcopy(defaults)

-- Neovim 0.7: the client id serving each root.
local clients_by_root = {}

local function exists(path)
  return vim.loop.fs_stat(path) ~= nil
end

--- The directory holding the nearest `.git` (a directory, or a file in a git worktree) at or
--- above the directory of `path`; the directory of `path` when there is none.
function M.find_root(path)
  local start = vim.fn.fnamemodify(path, ":p:h")
  local dir = start
  while true do
    if exists(dir .. "/.git") then
      return dir
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return start
    end
    dir = parent
  end
end

local function client_config(root)
  local config = {
    name = "hubc",
    cmd = M.config.cmd,
    root_dir = root,
    settings = M.config.settings,
    on_attach = M.config.on_attach,
  }
  if M.config.capabilities then
    config.capabilities = M.config.capabilities
  end
  return config
end

--- Starts the server for buffer `bufnr` (default: the current buffer), or attaches the buffer to
--- the server already running for its root. Returns the client id, or nil.
function M.start(bufnr)
  if bufnr == nil or bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
  if not vim.api.nvim_buf_is_loaded(bufnr) or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root
  if name == "" then
    root = vim.loop.cwd()
  else
    root = (M.config.root_dir or M.find_root)(name)
  end
  local config = client_config(root)

  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end

  local id = clients_by_root[root]
  if id then
    local client = vim.lsp.get_client_by_id(id)
    if client == nil or client.is_stopped() then
      id = nil
    end
  end
  if id == nil then
    id = vim.lsp.start_client(config)
    if id == nil then
      vim.notify("hubc: could not start " .. table.concat(M.config.cmd, " "), vim.log.levels.ERROR)
      return nil
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Configures the server and starts it for every buffer of its filetypes, those already open
--- and those opened later.
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  local group = vim.api.nvim_create_augroup("hubc", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.start(args.buf)
    end,
    desc = "Start hubc lsp",
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then
      M.start(bufnr)
    end
  end
end

return M
