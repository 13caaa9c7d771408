// Wide tables (.table-scroll) and, on phones, the release chart (.chart__scroll) scroll in
// their own box (issue 17). A box whose content is wider than it gets the class
// is-overflowing (site.css shows a hint and a shadow on the edge with more to see) and a tab
// stop, so it can be scrolled from the keyboard too.
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".table-scroll, .chart__scroll");
  if (!boxes.length) return;

  function update(box) {
    var overflowing = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("is-overflowing", overflowing);
    if (overflowing) {
      box.tabIndex = 0;
    } else {
      box.removeAttribute("tabindex");
    }
  }

  var observer = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { update(entry.target); });
  }) : null;
  boxes.forEach(function (box) {
    update(box);
    if (observer) observer.observe(box);
  });
})();
