-- Keep text from the data literal in Typst. pandoc escapes Typst's special characters inside
-- text, but not the markers Typst reads at the start of a line: "=" (heading), "-" (list),
-- "+" (numbered list), "/" (term) and "1." (numbered list). A table cell or paragraph that
-- starts with one would become markup, so the first character is written escaped instead.
-- Very long words (no break opportunity) get invisible break points so tables keep their width.

local MARKERS = { ["="] = true, ["-"] = true, ["+"] = true, ["/"] = true }
local LONG = 40

local function escape_start(inlines)
  local first = inlines[1]
  if first == nil or first.t ~= "Str" then
    return nil
  end
  local text = first.text
  local head = text:sub(1, 1)
  if MARKERS[head] then
    inlines[1] = pandoc.Str(text:sub(2))
    table.insert(inlines, 1, pandoc.RawInline("typst", "\\" .. head))
    return inlines
  end
  local digits, rest = text:match("^(%d+)(%..*)$")
  if digits then
    inlines[1] = pandoc.Str(rest:sub(2))
    table.insert(inlines, 1, pandoc.RawInline("typst", digits .. "\\."))
    return inlines
  end
  return nil
end

local function break_long(str)
  local text = str.text
  if utf8.len(text) == nil or utf8.len(text) <= LONG then
    return nil
  end
  local parts, count, chunk = {}, 0, {}
  for _, code in utf8.codes(text) do
    table.insert(chunk, utf8.char(code))
    count = count + 1
    if count % 20 == 0 then
      table.insert(parts, pandoc.Str(table.concat(chunk)))
      table.insert(parts, pandoc.RawInline("typst", "\\u{200b}"))
      chunk = {}
    end
  end
  if #chunk > 0 then
    table.insert(parts, pandoc.Str(table.concat(chunk)))
  end
  return parts
end

return {
  { Str = break_long },
  {
    Plain = function(block) return escape_start(block.content) and block or nil end,
    Para = function(block) return escape_start(block.content) and block or nil end,
    Header = function(block) return escape_start(block.content) and block or nil end,
    Meta = function(meta)
      for key, value in pairs(meta) do
        if pandoc.utils.type(value) == "Inlines" then
          escape_start(value)
          meta[key] = value
        end
      end
      return meta
    end,
  },
}
