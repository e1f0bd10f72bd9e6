// The network diagram as inline SVG that answers clicks (backprop_tutor.views.widgets.svg_diagram).
//
// The kernel sends the SVG Matplotlib wrote; the clickable parts are <g id="bt-...">. Their ids
// move to data-bt (two diagrams on one page would otherwise share ids), each part gets a
// pointer cursor, and each label is a keyboard button (Tab, then Enter or Space). A click sends
// the part's id back as `clicked` and bumps `clicks`, so clicking the same part twice is heard.
// The text alternative sits in a paragraph that is visually hidden until Describe is pressed;
// screen readers read it all along (aria-describedby).

let counter = 0;

function render({ model, el }) {
  const id = `bt-diagram-description-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  const picture = document.createElement("div");
  picture.className = "bt-svg-picture";
  const description = document.createElement("p");
  description.className = "bt-description";
  description.id = id;
  el.classList.add("bt-svg-diagram");
  el.append(picture, description);

  function send(target) {
    model.set("clicked", target);
    model.set("clicks", model.get("clicks") + 1);
    model.save_changes();
  }

  function drawSvg() {
    picture.innerHTML = model.get("svg");
    const svg = picture.querySelector("svg");
    if (!svg) return;
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-label", model.get("label") || "Network diagram");
    svg.setAttribute("aria-describedby", id);
    const names = model.get("names") || {};
    for (const part of svg.querySelectorAll('[id^="bt-"]')) {
      const target = part.id;
      part.removeAttribute("id");
      part.dataset.bt = target;
      const name = names[target.replace(/-[a-z][a-z0-9]*$/, "")];
      if (/-label$/.test(target) && name) {
        part.setAttribute("tabindex", "0");
        part.setAttribute("role", "button");
        // The name starts with the text the label shows ("w5 = 0.4"), as WCAG 2.5.3 asks.
        const shown = part.textContent.replace(/\s+/g, " ").trim();
        part.setAttribute("aria-label", `${shown || name}: ${model.get("action") || "show it"}`);
      }
    }
  }

  function drawDescription() {
    description.textContent = model.get("description");
    description.classList.toggle("bt-sr-only", !model.get("described"));
  }

  picture.addEventListener("click", (event) => {
    const part = event.target.closest("[data-bt]");
    if (part && picture.contains(part)) send(part.dataset.bt);
  });
  picture.addEventListener("keydown", (event) => {
    const part = event.target.closest("[data-bt]");
    if (part && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      send(part.dataset.bt);
    }
  });

  drawSvg();
  drawDescription();
  model.on("change:svg", drawSvg);
  model.on("change:names", drawSvg);
  model.on("change:description", drawDescription);
  model.on("change:described", drawDescription);
  return () => {
    model.off("change:svg", drawSvg);
    model.off("change:names", drawSvg);
    model.off("change:description", drawDescription);
    model.off("change:described", drawDescription);
  };
}

export default { render };
