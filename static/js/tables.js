/* Qogam: a table wider than a phone's screen scrolls sideways in its own box (site.css). A box that scrolls must
   be reachable by keyboard (WCAG 2.1.1): each one that overflows gets a tab stop, and a wrapper gets a name from its
   table's caption or its section's heading; both go again when the box fits (a laptop, a turned phone).
   Without this script the tables still scroll by touch, and current browsers let the keyboard focus a scroller. */
(function () {
  "use strict";
  var MARK = "data-scroll-stop";

  function nameOf(box) {
    var caption = box.querySelector("caption");
    if (caption) return caption.textContent.trim();
    var section = box.closest("[aria-labelledby]");
    var heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    return heading ? heading.textContent.trim() : "";
  }

  function update() {
    var boxes = document.querySelectorAll("main .table-scroll, main table");
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.tagName === "TABLE" && box.parentElement.classList.contains("table-scroll")) return;
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute(MARK, "");
        if (box.tagName !== "TABLE") {
          box.setAttribute("role", "group");
          var name = nameOf(box);
          if (name) box.setAttribute("aria-label", name);
        }
      } else if (!scrolls && box.hasAttribute(MARK)) {
        box.removeAttribute("tabindex");
        box.removeAttribute(MARK);
        if (box.tagName !== "TABLE") {
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      }
    });
  }

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      update();
    });
  });
  update();
})();
