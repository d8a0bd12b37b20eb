-- Keep a number range on one line in Typst: "2017–2025", "(ИВК, 0–100)", "2022–2026 гг."
-- pandoc writes such a range as one Str (with the no-break space before "гг." that Russian
-- typography puts there), and Typst would break the line after the en dash ("2017– / 2025").
-- The Str goes into an inline box, which Typst never breaks and which adds no character to the
-- PDF's text layer (a word joiner, U+2060, would be copied and searched). Used by the built-in
-- PDF (analysis.render.pdf) and by Quarto's Typst format (reports/_quarto.yml).

local MAX = 24 -- a longer word is left free to break (it could not fit a narrow column)

function Str(el)
  local text = el.text
  local length = utf8.len(text)
  if length ~= nil and length <= MAX and text:find("%d\u{2013}%d") then
    return { pandoc.RawInline("typst", "#box["), el, pandoc.RawInline("typst", "]") }
  end
  return nil
end
