// The BPMN canvas reaches down to the bottom of the window (at least three quarters of
// its height), on load and when the window is resized. No framework, no build step.
(function () {
  function fitCanvas() {
    var el = document.getElementById("canvas");
    if (!el) return;
    var top = el.getBoundingClientRect().top + window.scrollY;
    var h = Math.max(window.innerHeight - top - 16, Math.round(window.innerHeight * 0.75), 420);
    el.style.height = h + "px";
  }
  fitCanvas();
  window.addEventListener("resize", fitCanvas);
})();
