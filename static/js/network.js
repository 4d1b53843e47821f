/* The interactive picture of the partner network (Cytoscape.js), for the network page.
 *
 * The page works without this script: the tables hold the same data. With it, the picture
 * appears, coloured by kind (colours come from the legend's CSS, so they are defined once),
 * sized by the chosen metric, filtered by kind, country, region and relationship kind,
 * focused on one organisation and its neighbours, with the shortest chain between two
 * organisations highlighted. Positions come precomputed with the data, so no force layout
 * runs here and nothing is recomputed per frame.
 */
(function () {
  "use strict";

  var section = document.getElementById("network-view");
  if (!section || typeof window.cytoscape !== "function" || !window.fetch) {
    return;
  }
  var form = document.getElementById("network-controls");
  var message = document.getElementById("network-message");
  var container = document.getElementById("network-graph");
  var panel = document.getElementById("network-panel");
  var cy = null;
  var total = 0;

  function field(name) {
    return form.elements[name];
  }

  function say(text) {
    message.textContent = text;
  }

  function template(name) {
    // Wording comes from the page (translated there); {n} and {total} are filled in here.
    return section.getAttribute("data-text-" + name) || "";
  }

  function kindColours() {
    var colours = {};
    section.querySelectorAll(".legend .swatch").forEach(function (swatch) {
      colours[swatch.getAttribute("data-kind")] = window.getComputedStyle(swatch).backgroundColor;
    });
    return colours;
  }

  function sizeBy(metric) {
    var max = 0;
    cy.nodes().forEach(function (node) {
      max = Math.max(max, node.data(metric) || 0);
    });
    var size = max > 0 ? "mapData(" + metric + ", 0, " + max + ", 8, 44)" : 12;
    cy.style().selector("node").style({ width: size, height: size }).update();
  }

  function nodePasses(node, kind, country, region) {
    return (!kind || node.data("kind") === kind) &&
      (!country || node.data("country") === country) &&
      (!region || node.data("region") === region);
  }

  function apply() {
    var kind = field("kind").value;
    var country = field("country").value;
    var region = field("region").value;
    var tie = field("tie").value;
    var focus = field("focus").value;
    var depth = Math.max(1, Math.min(4, parseInt(field("depth").value, 10) || 1));

    cy.batch(function () {
      var nodes = cy.nodes().filter(function (node) {
        return nodePasses(node, kind, country, region) || node.id() === focus;
      });
      var edges = cy.edges().filter(function (edge) {
        return (!tie || edge.data("kinds").indexOf(tie) !== -1) &&
          nodes.contains(edge.source()) && nodes.contains(edge.target());
      });
      var shown = nodes.union(edges);
      if (focus) {
        var reached = cy.getElementById(focus);
        for (var step = 0; step < depth; step += 1) {
          reached = reached.union(reached.nodes().connectedEdges().intersection(edges).connectedNodes());
        }
        reached = reached.union(reached.nodes().edgesWith(reached.nodes()).intersection(edges));
        shown = reached;
      }
      cy.elements().addClass("hidden");
      shown.removeClass("hidden");
      cy.elements().removeClass("focus");
      if (focus) {
        cy.getElementById(focus).addClass("focus");
      }
    });
    var visible = cy.nodes().not(".hidden");
    container.setAttribute("data-visible-nodes", String(visible.length));
    say(template("showing").replace("{n}", visible.length).replace("{total}", total));
    if (focus) {
      cy.fit(visible, 40);
    } else {
      cy.fit(undefined, 20);
    }
  }

  function openPanel(id) {
    if (window.htmx) {
      window.htmx.ajax("GET", section.getAttribute("data-panel-url") + id, { target: "#network-panel", swap: "innerHTML" });
    } else {
      window.location.href = "/organisations/" + id;
    }
  }

  function highlightPath() {
    var from = field("from").value;
    var to = field("to").value;
    cy.elements().removeClass("on-path");
    if (!from || !to) {
      say(template("choose-both"));
      return;
    }
    var url = section.getAttribute("data-path-url") + "?source=" + encodeURIComponent(from) + "&target=" + encodeURIComponent(to);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (chain) {
        if (!chain.items.length) {
          say(template("no-path"));
          return;
        }
        var path = cy.collection();
        chain.items.forEach(function (item, index) {
          var node = cy.getElementById(String(item.id));
          path = path.union(node);
          if (index > 0) {
            path = path.union(node.edgesWith(cy.getElementById(String(chain.items[index - 1].id))));
          }
        });
        path.removeClass("hidden").addClass("on-path");
        cy.fit(path, 60);
        say(template("path") + " " + chain.items.map(function (item) { return item.name; }).join(" → "));
      })
      .catch(function () {
        say(template("no-path"));
      });
  }

  function start(data) {
    var colours = kindColours();
    data.elements.nodes.forEach(function (node) {
      node.data.colour = colours[node.data.kind] || "#777";
    });
    total = data.elements.nodes.length;
    var positioned = total > 0 && data.elements.nodes.every(function (node) { return node.position; });
    cy = window.cytoscape({
      container: container,
      elements: data.elements,
      layout: positioned ? { name: "preset" } : { name: "cose", animate: false, randomize: false, numIter: 500 },
      minZoom: 0.05,
      maxZoom: 4,
      pixelRatio: 1,
      textureOnViewport: total > 500,
      hideEdgesOnViewport: total > 500,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", "border-width": 1, "border-color": "#1b1f24",
          label: "data(name)", "font-size": 9, "min-zoomed-font-size": 11, color: "#1b1f24",
          "text-valign": "bottom", "text-margin-y": 2,
        } },
        { selector: "edge", style: {
          width: "mapData(weight, 0, 8, 0.5, 4)", "line-color": "#8a96a3", "curve-style": "haystack", opacity: 0.6,
        } },
        { selector: ".hidden", style: { display: "none" } },
        { selector: "node.focus", style: { "border-width": 4, "border-color": "#083b6a" } },
        { selector: "node.on-path", style: { "border-width": 4, "border-color": "#a4161a", "z-index": 10 } },
        { selector: "edge.on-path", style: { width: 5, "line-color": "#a4161a", opacity: 1, "z-index": 10 } },
        { selector: "node:selected", style: { "border-width": 4, "border-color": "#ffbf47" } },
      ],
    });
    sizeBy(field("size").value);
    cy.on("tap", "node", function (event) {
      openPanel(event.target.id());
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === "size") {
        sizeBy(event.target.value);
        return;
      }
      if (event.target.name === "from" || event.target.name === "to") {
        return;
      }
      apply();
      if (event.target.name === "focus" && event.target.value) {
        openPanel(event.target.value);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
    form.addEventListener("reset", function () {
      window.setTimeout(function () {
        cy.elements().removeClass("on-path");
        sizeBy(field("size").value);
        apply();
      }, 0);
    });
    document.getElementById("graph-path").addEventListener("click", highlightPath);
    apply();
    container.setAttribute("data-ready", "true");
  }

  section.hidden = false;
  fetch(section.getAttribute("data-graph-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    })
    .then(start)
    .catch(function () {
      say(template("failed"));
    });
  if (panel) {
    panel.setAttribute("tabindex", "-1");
  }
})();
