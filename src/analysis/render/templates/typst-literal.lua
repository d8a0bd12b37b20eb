-- Keep text from the data literal in Typst. pandoc escapes Typst's special characters inside
-- text, but not the markers Typst reads at the start of a line: "=" (heading), "-" (list),
-- "+" (numbered list), "/" (term) and "1." (numbered list). A table cell or paragraph that
-- starts with one would become markup, so the first character is written escaped instead.
-- Words are never broken: only web addresses, site names (opengovpartnership.org) and ids
-- (ASCII letters, digits and "/ . - _ : ? & = # %", with a separator and a digit) longer than
-- LONG get break points, after their separators and inside any run longer than RUN, so a
-- table keeps its width. A break point is the edge between two inline boxes (#box[...]): Typst
-- may break a line there, and no character is added, so the PDF's text layer holds the id or
-- address exactly as written (a zero-width space there broke copying and searching). A table whose caption carries tbl-colwidths="[a, b, ...]" (the
-- attribute Quarto reads too) gets those relative column widths.

local MARKERS = { ["="] = true, ["-"] = true, ["+"] = true, ["/"] = true }
local LONG = 12
local RUN = 14

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

local function is_address(text)
  if text:find("^%a[%w+.-]*://") or text:find("^www%.") then
    return true
  end
  -- a site name: dot-separated ASCII labels (documents.worldbank.org)
  if text:find("^[%w%-]+%.[%w%-][%w%.%-]*%w$") then
    return true
  end
  -- an id: ASCII letters, digits and separators only, with a separator and a digit
  return text:find("^[%w/%.%-_:%?&=#%%]+$") ~= nil and text:find("[/%.%-_:]") ~= nil
    and text:find("%d") ~= nil
end

local function break_long(str)
  -- Typst may break a line at U+202F (the narrow no-break space babel and Russian typography
  -- put in "33 %" and "2026 г."): make it a no-break space Typst always keeps
  if str.text:find("\u{202F}", 1, true) then
    str = pandoc.Str((str.text:gsub("\u{202F}", "\u{00A0}")))
  end
  local text = str.text
  if utf8.len(text) == nil or utf8.len(text) <= LONG or not is_address(text) then
    return str
  end
  local chunks, chunk, run = {}, {}, 0
  for _, code in utf8.codes(text) do
    local char = utf8.char(code)
    table.insert(chunk, char)
    run = run + 1
    if char:find("^[/%.%-_:%?&=#]$") or run >= RUN then
      table.insert(chunks, table.concat(chunk))
      chunk, run = {}, 0
    end
  end
  if #chunk > 0 then
    table.insert(chunks, table.concat(chunk))
  end
  local parts = {}
  for _, piece in ipairs(chunks) do
    table.insert(parts, pandoc.RawInline("typst", "#box["))
    table.insert(parts, pandoc.Str(piece))
    table.insert(parts, pandoc.RawInline("typst", "]"))
  end
  return parts
end

local function column_widths(tbl)
  local given = tbl.attr.attributes["tbl-colwidths"]
  if given == nil then
    return nil
  end
  local widths, total = {}, 0
  for number in given:gmatch("[%d%.]+") do
    table.insert(widths, tonumber(number))
    total = total + tonumber(number)
  end
  if #widths ~= #tbl.colspecs or total <= 0 then
    return nil
  end
  for i, spec in ipairs(tbl.colspecs) do
    tbl.colspecs[i] = { spec[1], widths[i] / total }
  end
  return tbl
end

-- a short table (at most SHORT_ROWS body rows) is kept on one page with its caption: a
-- six-row table split 3 + 3 over two pages is hard to read; a long one may run over pages.
-- Ten rows: at twelve, the indicator tables (tall cells) jumped whole pages and left gaps
-- (the Russian UZB SPCR grew from 18 to 20 pages)
local SHORT_ROWS = 10

local function body_rows(tbl)
  local rows = 0
  for _, body in ipairs(tbl.bodies) do
    rows = rows + #body.body
  end
  return rows
end

-- a table of class "compact" (the annex) is set in smaller type
local function table_layout(tbl)
  tbl = column_widths(tbl) or tbl
  local blocks = { tbl }
  if tbl.classes:includes("compact") then
    blocks = {
      pandoc.RawBlock("typst", "#[#show table: set text(size: 7.5pt)"),
      tbl,
      pandoc.RawBlock("typst", "]"),
    }
  end
  if body_rows(tbl) <= SHORT_ROWS then
    table.insert(blocks, 1, pandoc.RawBlock("typst", "#block(breakable: false)["))
    table.insert(blocks, pandoc.RawBlock("typst", "]"))
  end
  if #blocks == 1 then
    return tbl
  end
  return blocks
end

return {
  { Str = break_long, Table = table_layout },
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
