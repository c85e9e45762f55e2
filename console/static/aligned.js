/* The aligned view: a slider fades the warped rectification photo over the problem photo; 闪烁 swaps them. */
(function () {
  "use strict";

  function setUp(section) {
    var over = section.querySelector("img.over");
    var slider = section.querySelector("input.blend");
    var blink = section.querySelector("button.blink");
    var timer = null;

    function show(share) { over.style.opacity = String(share); }
    function unaligned() {
      section.querySelector(".overlay").hidden = true;
      section.querySelector(".controls").hidden = true;
      section.querySelector(".unaligned").hidden = false;
      section.setAttribute("data-aligned", "no");
    }

    over.addEventListener("error", unaligned);
    over.addEventListener("load", function () { section.setAttribute("data-aligned", "yes"); });
    if (over.complete && over.naturalWidth === 0 && over.getAttribute("src")) { unaligned(); }
    slider.addEventListener("input", function () { show(slider.value / 100); });
    blink.addEventListener("click", function () {
      if (timer) {
        clearInterval(timer);
        timer = null;
        show(slider.value / 100);
      } else {
        var on = false;
        timer = setInterval(function () { on = !on; show(on ? 1 : 0); }, 600);
      }
      blink.setAttribute("aria-pressed", timer ? "true" : "false");
    });
    show(slider.value / 100);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("section.aligned-view"), setUp);
  });
}());
