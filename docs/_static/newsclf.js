// newsclf site: the in-page contents marks the section being read, so the sticky contents follows the scroll
// (the theme keeps the contents on screen but marks nothing).
document.addEventListener('DOMContentLoaded', () => {
  const links = [...document.querySelectorAll('#pst-page-toc-nav a.nav-link[href^="#"]')];
  const targets = links.map(a => document.getElementById(decodeURIComponent(a.hash.slice(1))));
  if (!links.length) return;
  let queued = false;
  const mark = () => {
    queued = false;
    const line = window.innerHeight * 0.3;  // the section whose start is last above this line is the one being read
    let cur = 0;
    targets.forEach((t, i) => { if (t && t.getBoundingClientRect().top <= line) cur = i; });
    links.forEach((a, i) => a.classList.toggle('active', i === cur));
  };
  window.addEventListener('scroll', () => { if (!queued) { queued = true; requestAnimationFrame(mark); } }, {passive: true});
  mark();
});
