// Reads a GEXF file with graphology-gexf (the reader of Gephi Lite and sigma.js) and prints,
// as JSON: the graph type, node and edge counts, and the attributes of the nodes and edges
// named on the command line (edges as "source|target").
const fs = require('fs');
const Graph = require('graphology');
const gexf = require('graphology-gexf');

const [file, ...wanted] = process.argv.slice(2);
const g = gexf.parse(Graph, fs.readFileSync(file, 'utf-8'));
const out = {type: g.type, order: g.order, size: g.size, nodes: {}, edges: {}};
for (const w of wanted) {
  if (w.includes('|')) {
    const [s, t] = w.split('|');
    const e = g.hasNode(s) && g.hasNode(t) ? g.edge(s, t) : undefined;
    out.edges[w] = e === undefined ? null : g.getEdgeAttributes(e);
  } else {
    out.nodes[w] = g.hasNode(w) ? g.getNodeAttributes(w) : null;
  }
}
console.log(JSON.stringify(out));
