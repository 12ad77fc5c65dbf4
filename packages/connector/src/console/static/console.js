// Console behaviour beyond htmx: after an in-place page change, move focus to the main content so keyboard and
// screen-reader users start at the new page (as they would after a full load). No inline script anywhere (CSP).
document.addEventListener('htmx:afterSettle', function (event) {
  var detail = event.detail || {};
  if (!detail.boosted && !(detail.requestConfig && detail.requestConfig.verb === 'get' && detail.target === document.body)) return;
  var main = document.getElementById('main');
  if (main) main.focus({ preventScroll: false });
});
