-- A table without its caption: for a report rendered with Quarto, whose float (the div
-- ::: {#tbl-N}) numbers and captions the table drawn by the built-in PDF's own pandoc filters
-- (analysis.render.pdf.typst_tables). The caption's attributes (classes, tbl-colwidths) have
-- already been read by typst-literal.lua.
function Table(tbl)
  tbl.caption = pandoc.Caption()
  return tbl
end
