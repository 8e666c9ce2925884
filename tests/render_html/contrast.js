// WCAG 2.x contrast of every rendered text node against the background it is painted on
// (the background colours of its ancestors composited over the white canvas).
function rgba(c) {
  const m = c.match(/rgba?\(([^)]*)\)/);
  if (!m) return null;
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}
function over(top, under) {
  const a = top[3];
  return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]);
}
function lum(c) {
  const f = v => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
}
function background(el) {
  const chain = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) chain.push(n);
  let bg = [255, 255, 255, 1];
  for (const n of chain.reverse()) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c && c[3] > 0) bg = over(c, bg);
  }
  return bg;
}
const skip = new Set(["TITLE", "DESC", "STYLE", "SCRIPT", "title", "desc"]);
const out = [];
for (const el of document.body.querySelectorAll("*")) {
  if (skip.has(el.tagName)) continue;
  const own = Array.from(el.childNodes).filter(n => n.nodeType === 3 && n.textContent.trim());
  if (!own.length || !el.getClientRects().length) continue;
  const style = getComputedStyle(el);
  if (style.visibility === "hidden" || style.display === "none") continue;
  const isSvg = el instanceof SVGElement;
  const fg = rgba(isSvg ? style.fill : style.color);
  if (!fg) {
    out.push({text: own[0].textContent.trim().slice(0, 40), ratio: 0, fg: style.fill});
    continue;
  }
  const bg = background(el);
  const f = over(fg, bg);
  const [hi, lo] = [lum(f), lum(bg)].sort((a, b) => b - a);
  out.push({
    text: own[0].textContent.trim().slice(0, 40), tag: el.tagName,
    cls: isSvg ? el.getAttribute("class") || "" : String(el.className),
    ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100,
    fg: style.color, bg: "rgb(" + bg.slice(0, 3).map(Math.round).join(",") + ")"
  });
}
return out;
