// Accessibility for every widget on the page (backprop_tutor.views.widgets.access).
//
// ipywidgets 8 leaves a few things a screen reader or a keyboard user needs; this script adds
// them to every control on the page, once per page, and keeps them up to date as views redraw:
// - a slider handle is named by its visible label and announces the value its readout shows
//   (a log slider's handle would otherwise say "-0.30" for a learning rate of 0.500);
// - an icon's glyph is hidden from the button's name ("Next", not "\uf061 Next");
// - a toggle button says whether it is pressed (aria-pressed);
// - a button disabled while it has focus hands focus to its neighbour (Previous <-> Next),
//   instead of dropping it to the page;
// - a box that scrolls sideways (a wide formula or table) can be reached and scrolled by keyboard;
// - an image has the alt text its tooltip gives.
// Each Announcer is also a polite live region: the kernel writes what just changed into it.

const FLAG = "__backpropTutorAccess";
const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex], [contenteditable]";

function squash(text) {
  return (text || "").replace(/\s+/g, " ").trim();
}

function put(el, name, value) {
  // Only on a real change: our own writes are mutations too.
  if (value === null) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) {
    el.setAttribute(name, value);
  }
}

function nameSliders(root) {
  for (const box of root.querySelectorAll(".widget-slider")) {
    const label = squash(box.querySelector(".widget-label")?.textContent).replace(/:$/, "") || "Slider";
    const readout = box.querySelector(".widget-readout");
    const shown = squash(readout?.textContent);
    for (const handle of box.querySelectorAll(".noUi-handle")) {
      put(handle, "aria-label", label);
      if (shown) put(handle, "aria-valuetext", shown);
    }
    if (readout) {
      put(readout, "role", "textbox");
      put(readout, "aria-label", `${label}: type a value`);
    }
  }
}

function fixButtons(root) {
  for (const icon of root.querySelectorAll(".jupyter-widgets button i, .jupyter-button i")) {
    put(icon, "aria-hidden", "true");
  }
  for (const toggle of root.querySelectorAll("button.widget-toggle-button")) {
    put(toggle, "aria-pressed", toggle.classList.contains("mod-active") ? "true" : "false");
  }
}

function altText(root) {
  // The kernel rewrites the tooltip with each redraw (a new learning rate's curve): alt follows it.
  for (const image of root.querySelectorAll(".jupyter-widgets img, img.widget-image")) {
    put(image, "alt", image.getAttribute("title") || "");
  }
}

// Only changes in outputs and widgets need a scan: typing in a code cell, JupyterLab's menus and
// status bar change the page all the time and must not cost a layout read each frame.
const WATCHED = ".jp-OutputArea, .jupyter-widgets";

function touchesOutputs(record) {
  const target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
  if (target?.closest(WATCHED)) return true;
  return [...record.addedNodes].some((node) => node.nodeType === 1
    && (node.matches(WATCHED) || node.querySelector(WATCHED) !== null));
}

// A formula's box, a wide table's box, a widget laid out with overflow "auto", an output (a wide table).
const SCROLLERS = ".jupyter-widgets [style*='overflow'], .jupyter-widgets[style*='overflow'], .jp-OutputArea-output";

function scrolls(box) {
  const style = getComputedStyle(box);
  const x = /auto|scroll/.test(style.overflowX) && box.scrollWidth > box.clientWidth + 1;
  const y = /auto|scroll/.test(style.overflowY) && box.scrollHeight > box.clientHeight + 1;
  return x || y;
}

function scrollable(root) {
  for (const box of root.querySelectorAll(SCROLLERS)) {
    const reachable = scrolls(box) && !box.querySelector(FOCUSABLE);
    if (reachable) {
      put(box, "tabindex", "0");
      // A group, not a region: a page has many, and landmarks must each have a name of their own.
      put(box, "role", "group");
      put(box, "aria-label", box.classList.contains("bt-math") ? "Formula (scrolls sideways)" : "Scrolling text");
      box.dataset.btScroll = "1";
    } else if (box.dataset.btScroll) {
      for (const name of ["tabindex", "role", "aria-label"]) put(box, name, null);
      delete box.dataset.btScroll;
    }
  }
}

function partnerOf(button) {
  // The nearest enabled button beside it, the one before first: Next hands focus to Previous.
  const siblings = [...button.parentElement.children].filter((el) => el.matches("button"));
  const at = siblings.indexOf(button);
  for (let distance = 1; distance < siblings.length; distance++) {
    for (const other of [siblings[at - distance], siblings[at + distance]]) {
      if (other && !other.disabled && other.offsetParent !== null) return other;
    }
  }
  return null;
}

function install() {
  if (window[FLAG]) return;
  window[FLAG] = true;
  let lastFocused = null;
  document.addEventListener("focusin", (event) => { lastFocused = event.target; });
  let queued = false;
  const scan = () => {
    queued = false;
    nameSliders(document);
    fixButtons(document);
    altText(document);
    scrollable(document);
  };
  const later = () => {
    if (!queued) {
      queued = true;
      requestAnimationFrame(scan);
    }
  };
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const target = record.target;
      if (record.attributeName === "disabled" && target === lastFocused && target.disabled) {
        const focus = document.activeElement;
        if (!focus || focus === document.body || focus === target) partnerOf(target)?.focus();
      }
    }
    if (records.some(touchesOutputs)) later();
  });
  observer.observe(document.body, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ["class", "disabled", "aria-valuetext", "title", "style"],
  });
  window.addEventListener("resize", later);
  scan();
}

function render({ model, el }) {
  install();
  el.classList.add("bt-announcer", "bt-sr-only");
  const region = document.createElement("div");
  region.className = "bt-live";
  region.setAttribute("role", "status");
  region.setAttribute("aria-live", "polite");
  region.setAttribute("aria-atomic", "true");
  el.append(region);
  // Empty at first: a live region reads what changes in it after it is on the page.
  const say = () => { region.textContent = model.get("text"); };
  model.on("change:text", say);
  return () => model.off("change:text", say);
}

export default { render };
