-- A PDF shows only what the notebook itself carries: images only from the figures the
-- renderer wrote (media/figure-N.svg|png), links only to the web, mail or this document.
-- Anything else (a remote or local image, a javascript: link) keeps just its text.

local function own_figure(src)
  return src:match("^media/figure%-%d+%.svg$") or src:match("^media/figure%-%d+%.png$")
end

local function safe_target(target)
  local lower = target:lower()
  return lower:match("^https?://") or lower:match("^mailto:") or lower:match("^#")
end

function Image(img)
  if own_figure(img.src) then
    return nil
  end
  return img.caption
end

function Link(link)
  if safe_target(link.target) then
    return nil
  end
  return link.content
end
