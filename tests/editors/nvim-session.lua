-- A whole haplint session in the real Neovim (0.7 or later), headless.
-- tests/lsp.rs runs: nvim --clean --headless -c "luafile tests/editors/nvim-session.lua"
-- with HAPLINT_NVIM_SETUP (the README's Neovim 0.7 snippet, as a file),
-- HAPLINT_NVIM_CONFIG (the haproxy.cfg to open) and HAPLINT_NVIM_OUT (where
-- the log goes; its last line is PASS or FAIL: why).
local out = {}
local function log(fmt, ...)
  table.insert(out, string.format(fmt, ...))
end

local function finish(status)
  table.insert(out, status)
  vim.fn.writefile(out, os.getenv("HAPLINT_NVIM_OUT"))
  vim.cmd("qall!")
end

local timeout = 20000

local function session()
  dofile(os.getenv("HAPLINT_NVIM_SETUP"))
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("HAPLINT_NVIM_CONFIG")))
  local buf = vim.api.nvim_get_current_buf()
  log("filetype %s", vim.bo[buf].filetype)

  local client
  assert(vim.wait(timeout, function()
    for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
      client = c
    end
    return client ~= nil and client.initialized ~= false
  end, 20), "the README snippet did not attach haplint to the buffer")
  log("attached %s", client.name)

  -- Diagnostics of the version the buffer has now.
  local function diagnostics(predicate)
    local found
    assert(vim.wait(timeout, function()
      local all = vim.diagnostic.get(buf)
      if predicate(all) then
        found = all
        return true
      end
      return false
    end, 20), "diagnostics never reached the expected state")
    return found
  end
  local function codes(all)
    local set = {}
    for _, d in ipairs(all) do
      set[d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)] = true
    end
    return set
  end
  local function code_of(d)
    return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  end

  local all = diagnostics(function(all) return #all >= 6 end)
  for _, d in ipairs(all) do
    log("diagnostic %d:%d %s", d.lnum + 1, d.col + 1, code_of(d))
  end

  -- Hover on each finding of the `server a1` line shows that finding.
  local server_line = 16 -- 0-based: `    server a1 api.example.com:443 ssl verify none check`
  local on_line = 0
  for _, d in ipairs(all) do
    if d.lnum == server_line then
      on_line = on_line + 1
      vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
      local params = vim.lsp.util.make_position_params()
      local response = client.request_sync("textDocument/hover", params, timeout, buf)
      assert(response and response.result, "no hover at column " .. d.col)
      local text = response.result.contents.value
      assert(text:find(code_of(d), 1, true),
        "hover at " .. (d.col + 1) .. " does not show " .. code_of(d) .. ": " .. text:sub(1, 80))
      log("hover %d:%d %s", d.lnum + 1, d.col + 1, code_of(d))
    end
  end
  assert(on_line >= 4, "expected at least 4 findings on the server line, got " .. on_line)

  -- Code actions with the cursor at column 0 of the indented server line.
  local function actions_at(line, column)
    vim.api.nvim_win_set_cursor(0, { line + 1, column })
    local params = vim.lsp.util.make_range_params()
    params.context = { diagnostics = {} }
    local response = client.request_sync("textDocument/codeAction", params, timeout, buf)
    assert(response and response.result, "no code actions answer")
    return response.result
  end
  local function apply(action)
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  end
  local actions = actions_at(server_line, 0)
  for _, a in ipairs(actions) do
    log("action %s", a.title)
  end
  local function find(list, pattern)
    for _, a in ipairs(list) do
      if a.title:find(pattern) then
        return a
      end
    end
  end
  assert(find(actions, "%[ssl%-verify%-none%]"), "no fix for ssl-verify-none at column 0")
  assert(find(actions, "%[missing%-server%-sni%]"), "no fix for missing-server-sni at column 0")

  -- The suppress action: a comment above the line, and the finding is gone.
  local suppress = find(actions, "^Suppress `ssl%-verify%-none`")
  assert(suppress, "no suppress action for ssl-verify-none")
  apply(suppress)
  local comment = vim.api.nvim_buf_get_lines(buf, server_line, server_line + 1, false)[1]
  assert(comment == "    # haplint: disable-next-line=ssl-verify-none -- reason", "suppression comment: " .. comment)
  all = diagnostics(function(all) return not codes(all)["ssl-verify-none"] and #all > 0 end)
  log("suppressed ssl-verify-none: %d findings left", #all)

  -- "did you mean": `maxcon` becomes `maxconn`, and the error is gone.
  local typo
  for _, d in ipairs(all) do
    if code_of(d) == "unknown-keyword" then
      typo = d
    end
  end
  assert(typo, "no unknown-keyword finding")
  local replace = find(actions_at(typo.lnum, typo.col), "^Replace `maxcon` with `maxconn`")
  assert(replace, "no did-you-mean fix")
  apply(replace)
  local fixed = vim.api.nvim_buf_get_lines(buf, typo.lnum, typo.lnum + 1, false)[1]
  assert(fixed:find("maxconn 100", 1, true), "not replaced: " .. fixed)
  diagnostics(function(all) return not codes(all)["unknown-keyword"] and #all > 0 end)
  log("did you mean: %s", vim.trim(fixed))
end

local ok, err = pcall(session)
if ok then
  finish("PASS")
else
  finish("FAIL: " .. tostring(err))
end
