// Turns the Census Bureau's state boundaries (public domain, packaged as
// already-projected TopoJSON by the npm package us-atlas: states-albers-10m.json,
// Albers USA with Alaska and Hawaii as insets, 975 x 610) into the SVG path data
// GrantFlow draws its public map from: grantflow/catalog/us_map.json.
//
//   cd scripts/us_map && npm ci && node make_us_map.mjs
//
// The topology is simplified (topojson-simplify keeps shared borders shared, so
// neighbouring states still meet) and coordinates are rounded to one decimal: the
// file is about 49 kB of plain SVG paths, and the
// server never needs the network, a tile server or JavaScript to draw the map.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { geoPath } from "d3-geo";
import { feature, mesh } from "topojson-client";
import { presimplify, simplify } from "topojson-simplify";

const require = createRequire(import.meta.url);
const source = require.resolve("us-atlas/states-albers-10m.json");
const atlasVersion = JSON.parse(readFileSync(require.resolve("us-atlas/package.json"), "utf8")).version;
// planar area in square pixels below which a point is dropped (the map is 975 px wide)
const MIN_AREA = 2;

const topology = simplify(presimplify(JSON.parse(readFileSync(source, "utf8"))), MIN_AREA);
const path = geoPath().digits(1); // no projection: the coordinates are already projected

const states = feature(topology, topology.objects.states).features
  .map((state) => ({ fips: state.id, name: state.properties.name, d: path(state) }))
  .filter((state) => state.d)
  .sort((a, b) => a.name.localeCompare(b.name));
// the borders between states, drawn once over the fills so they stay visible
const borders = path(mesh(topology, topology.objects.states, (a, b) => a !== b));

const out = {
  source: `us-atlas ${atlasVersion} states-albers-10m.json (U.S. Census Bureau cartographic boundaries, public domain)`,
  generator: "scripts/us_map/make_us_map.mjs",
  viewBox: "0 0 975 610",
  states,
  borders,
};
const target = fileURLToPath(new URL("../../grantflow/catalog/us_map.json", import.meta.url));
writeFileSync(target, JSON.stringify(out) + "\n");
console.log(`${states.length} states written to ${target} (${JSON.stringify(out).length} bytes)`);
