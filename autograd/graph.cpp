#include "autograd/graph.h"

#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "autograd/node.h"

namespace minidl {

namespace {

// The graph in topological order (inputs first). Values are identified by their node, or for
// leaves by the Variable itself, so a leaf used twice appears once.
struct Graph {
  struct Value {
    Variable variable;  // a leaf, or the first Variable seen with this node
    const Node* node;   // nullptr for a leaf
  };
  std::vector<Value> values;
  std::map<const void*, size_t> index;  // node or leaf -> position in values

  static const void* key(const Variable& v) {
    return v.grad_fn() ? static_cast<const void*>(v.grad_fn().get()) : v.id();
  }
};

Graph collect(const Variable& root) {
  Graph graph;
  MINIDL_CHECK(root.defined(), "graph_to_string: the Variable is undefined");
  // Iterative depth-first post-order: graphs can be 100,000 ops deep.
  struct Frame {
    Variable v;
    size_t next_input;
  };
  std::vector<Frame> stack{{root, 0}};
  while (!stack.empty()) {
    Frame& frame = stack.back();
    const Variable v = frame.v;
    const void* key = Graph::key(v);
    if (graph.index.count(key)) {
      stack.pop_back();
      continue;
    }
    const Node* node = v.grad_fn().get();
    if (node && frame.next_input < node->inputs().size()) {
      stack.push_back({node->inputs()[frame.next_input++], 0});
      continue;
    }
    graph.index[key] = graph.values.size();
    graph.values.push_back({v, node});
    stack.pop_back();
  }
  return graph;
}

std::string value_type(const Variable& v) {
  std::ostringstream os;
  os << shape_str(v.shape()) << ' ' << v.dtype();
  return os.str();
}

std::string attributes_of(const Node& node) {
  std::string text;
  for (const OpAttribute& a : node.op().attributes) {
    text += (text.empty() ? "" : ", ") + a.name + "=" + a.value;
  }
  return text;
}

std::string input_list(const Graph& graph, const Node& node) {
  std::string text;
  for (const Variable& input : node.inputs()) {
    const size_t i = graph.index.at(Graph::key(input));
    text += (text.empty() ? "#" : ", #") + std::to_string(i);
  }
  return text;
}

std::string dot_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string graph_to_string(const Variable& root) {
  const Graph graph = collect(root);
  std::ostringstream os;
  for (size_t i = 0; i < graph.values.size(); ++i) {
    const auto& [v, node] = graph.values[i];
    os << '#' << i << ' ';
    if (!node) {
      os << "leaf " << value_type(v) << (v.requires_grad() ? " requires_grad" : "") << '\n';
      continue;
    }
    os << node->name() << '(';
    if (node->released()) {
      os << "released";
    } else {
      os << input_list(graph, *node);
      const std::string attributes = attributes_of(*node);
      if (!attributes.empty()) os << "; " << attributes;
    }
    os << ") -> " << value_type(v) << '\n';
  }
  return os.str();
}

std::string graph_to_dot(const Variable& root) {
  const Graph graph = collect(root);
  std::ostringstream os;
  os << "digraph minidl {\n  rankdir=BT;\n";
  for (size_t i = 0; i < graph.values.size(); ++i) {
    const auto& [v, node] = graph.values[i];
    // Label lines are escaped one by one and joined with dot's line break, \n.
    std::string label;
    if (!node) {
      label = dot_escape("leaf " + value_type(v)) + (v.requires_grad() ? "\\nrequires_grad" : "");
      os << "  n" << i << " [shape=ellipse, label=\"" << label << "\"];\n";
      continue;
    }
    label = dot_escape(std::string(node->name()));
    const std::string attributes = attributes_of(*node);
    if (!attributes.empty()) label += "\\n" + dot_escape(attributes);
    label += "\\n" + dot_escape(value_type(v));
    os << "  n" << i << " [shape=box, label=\"" << label << "\"];\n";
    for (const Variable& input : node->inputs()) {
      os << "  n" << graph.index.at(Graph::key(input)) << " -> n" << i << ";\n";
    }
  }
  os << "}\n";
  return os.str();
}

}  // namespace minidl
