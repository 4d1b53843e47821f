/* The map of organisations and open opportunities (Leaflet with marker clustering), for /map/.
 *
 * The page works without this script: the lists beside the map hold the same places, page by
 * page. With it, the map appears and asks /map/points for what lies inside the part of the map
 * shown, with the page's filters, whenever the map stops moving. The server answers each layer's
 * markers (at most a few hundred; Leaflet.markercluster groups those that overlap), or, where more
 * match, numbered clusters it counted itself: a click on one zooms into it. Logged-in readers also
 * get the placement gaps per region: circles sized by the participants looking for a place, red
 * where the places within their reach fall short. Tiles come from the
 * server named in PORTAL_MAP_TILES_URL; without one the markers stand on a plain background.
 * Every text comes from the page (data-text-*), so it is in the reader's language; names from the
 * database reach the page only as text nodes, never as HTML.
 */
(function () {
  "use strict";

  var section = document.getElementById("map-view");
  if (!section || !window.L || !window.fetch || typeof L.markerClusterGroup !== "function") {
    return;
  }
  var data = section.dataset;
  var message = document.getElementById("map-message");
  var loads = 0; // only the newest answer is drawn
  var timer = null;
  var controller = null;

  function text(name, values) {
    var template = data["text" + name] || "";
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return values && key in values ? String(values[key]) : whole;
    });
  }

  function say(words) {
    message.textContent = words;
  }

  section.hidden = false;
  var bounds = data.bounds.split(",").map(Number);
  var map = L.map("map", { minZoom: 3, maxZoom: 18, worldCopyJump: false });
  map.fitBounds([
    [bounds[0], bounds[1]],
    [bounds[2], bounds[3]],
  ]);
  if (data.tilesUrl) {
    L.tileLayer(data.tilesUrl, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
  } else {
    section.classList.add("map-no-tiles");
  }

  var markers = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 50,
    iconCreateFunction: function (cluster) {
      return clusterIcon(cluster.getChildCount(), "map-cluster-client");
    },
  });
  var serverClusters = L.layerGroup();
  var gaps = L.layerGroup();
  gaps.addTo(map);
  serverClusters.addTo(map);
  markers.addTo(map);

  function clusterIcon(count, extra) {
    var size = count < 10 ? 34 : count < 100 ? 40 : count < 1000 ? 46 : 54;
    var icon = L.divIcon({
      html: "<span>" + Number(count) + "</span>",
      className: "map-cluster " + extra,
      iconSize: [size, size],
    });
    return icon;
  }

  function link(url, words) {
    var anchor = document.createElement("a");
    anchor.href = url;
    anchor.textContent = words;
    return anchor;
  }

  function popup(point) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = point.name;
    title.appendChild(strong);
    box.appendChild(title);
    var kind = document.createElement("p");
    kind.textContent =
      (point.type === "organisation" ? text("Organisation") : text("Opportunity")) + " · " + point.kind;
    box.appendChild(kind);
    if (point.organisation) {
      var host = document.createElement("p");
      host.textContent = text("At", { name: point.organisation });
      box.appendChild(host);
    }
    var open = document.createElement("p");
    open.appendChild(link(point.url, text("Open")));
    box.appendChild(open);
    return box;
  }

  function pointMarker(point) {
    var marker = L.marker([point.lat, point.lon], {
      icon: L.divIcon({ className: "map-pin map-pin-" + point.type, iconSize: [18, 18], html: "" }),
      title: point.name,
      alt: point.name,
      keyboard: true,
    });
    // No panning to fit the popup: a pan reloads and redraws the points, which would close it at once.
    marker.bindPopup(popup(point), { autoPan: false });
    return marker;
  }

  function clusterMarker(cluster) {
    var marker = L.marker([cluster.lat, cluster.lon], {
      icon: clusterIcon(cluster.count, "map-cluster-server map-cluster-" + cluster.type),
      title: text("Cluster", { n: cluster.count }),
      keyboard: true,
    });
    marker.on("click", function () {
      var b = cluster.bounds;
      if (b[0] === b[2] && b[1] === b[3]) {
        map.setView([b[0], b[1]], Math.min(map.getZoom() + 3, 18));
      } else {
        map.fitBounds(
          [
            [b[0], b[1]],
            [b[2], b[3]],
          ],
          { padding: [20, 20] }
        );
      }
    });
    return marker;
  }

  function count(value) {
    return value === null || value === undefined ? text("Few") : String(value);
  }

  function drawGaps(rows) {
    gaps.clearLayers();
    if (!rows) {
      return;
    }
    rows.forEach(function (gap) {
      // Size: the participants looking for a place; colour: whether places within reach fall short
      // (a suppressed shortfall, null, is one to four people: short all the same).
      var short = gap.shortfall !== 0;
      var circle = L.circle([gap.lat, gap.lon], {
        radius: 2500 * Math.sqrt(gap.participants || 4),
        className: "map-gap " + (short ? "map-gap-short" : "map-gap-covered"),
      });
      circle.bindTooltip(
        text("Gap", {
          region: gap.region,
          participants: count(gap.participants),
          places: gap.places,
          shortfall: count(gap.shortfall),
        })
      );
      gaps.addLayer(circle);
    });
  }

  function query() {
    var b = map.getBounds();
    var clamp = function (value, low, high) {
      return Math.max(low, Math.min(high, value));
    };
    var box = [
      clamp(b.getWest(), -180, 179.999),
      clamp(b.getSouth(), -90, 89.999),
      clamp(b.getEast(), -179.999, 180),
      clamp(b.getNorth(), -89.999, 90),
    ].map(function (n) {
      return n.toFixed(5);
    });
    var params = new URLSearchParams({
      bbox: box.join(","),
      show: data.filterShow || "",
      kind: data.filterKind || "",
      region: data.filterRegion || "",
      opportunity_kind: data.filterOpportunityKind || "",
    });
    return data.pointsUrl + "?" + params.toString();
  }

  function draw(answer) {
    markers.clearLayers();
    serverClusters.clearLayers();
    var totals = { organisations: 0, opportunities: 0 };
    var clustered = false;
    var drawnPoints = 0;
    var drawnClusters = 0;
    var batch = [];
    Object.keys(answer.layers).forEach(function (name) {
      var layer = answer.layers[name];
      totals[name] = layer.total;
      clustered = clustered || layer.clustered;
      layer.points.forEach(function (point) {
        batch.push(pointMarker(point));
      });
      layer.clusters.forEach(function (cluster) {
        serverClusters.addLayer(clusterMarker(cluster));
        drawnClusters += 1;
      });
      drawnPoints += layer.points.length;
    });
    markers.addLayers(batch);
    drawGaps(answer.gaps);
    say(
      clustered
        ? text("Zoom")
        : text("Showing", { organisations: totals.organisations, opportunities: totals.opportunities })
    );
    section.dataset.points = String(drawnPoints);
    section.dataset.clusters = String(drawnClusters);
    section.dataset.ready = "true";
  }

  function load() {
    var mine = ++loads;
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    section.dataset.ready = "false";
    say(text("Loading"));
    fetch(query(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (answer) {
        if (mine === loads) {
          draw(answer);
        }
      })
      .catch(function (error) {
        if (mine === loads && error.name !== "AbortError") {
          say(text("Failed"));
        }
      });
  }

  map.on("moveend", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(load, 250);
  });
  load();
})();
