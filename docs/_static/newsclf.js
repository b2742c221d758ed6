// newsclf site: the in-page contents marks the section being read (Bootstrap's ScrollSpy, which the theme ships but
// does not turn on), so the sticky contents follows the scroll.
document.addEventListener('DOMContentLoaded', () => {
  if (!document.querySelector('#pst-page-toc-nav')) return;
  document.body.setAttribute('data-bs-spy', 'scroll');
  document.body.setAttribute('data-bs-target', '#pst-page-toc-nav');
  document.body.setAttribute('data-bs-root-margin', '0px 0px -60%');
});
