// The arrow keys of the ARIA radio group pattern, for every [role=radiogroup] of the app (the
// level picker): they move to the next or previous option, wrapping, and choose it. Left and
// right follow the reading direction, so in Arabic the left arrow moves forward.
document.addEventListener("keydown", function (event) {
  var step = {ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1}[event.key];
  var radio = step && event.target.closest && event.target.closest("[role=radio]");
  var group = radio && radio.closest("[role=radiogroup]");
  if (!group || event.altKey || event.ctrlKey || event.metaKey) return;
  if ((event.key === "ArrowLeft" || event.key === "ArrowRight") && getComputedStyle(group).direction === "rtl") {
    step = -step;
  }
  var radios = Array.prototype.filter.call(group.querySelectorAll("[role=radio]"), function (r) {
    return !r.disabled && r.closest("[role=radiogroup]") === group;
  });
  var next = radios[(radios.indexOf(radio) + step + radios.length) % radios.length];
  if (!next) return;
  event.preventDefault();
  next.focus();
  next.click();
});
