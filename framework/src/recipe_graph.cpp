// The dependency graph of a recipe: reference resolution, family and cycle
// checks, and the order in which alphas run.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "alphas/error.hpp"
#include "alphas/recipe.hpp"
#include "recipe_checks.hpp"

namespace alphas {

using recipe_detail::Problems;
using recipe_detail::did_you_mean;
using recipe_detail::join;

namespace {

bool is_pattern(const std::string& text) { return text.find('*') != std::string::npos; }

std::vector<std::string> split_parts(const std::string& name) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

// Glob match of one part: '*' matches any run of characters within it.
// Dynamic programming over (pattern prefix, text prefix), no recursion.
bool part_matches(const std::string& pattern, const std::string& text) {
  std::vector<char> row(text.size() + 1, 0), next(text.size() + 1, 0);
  row[0] = 1;
  for (char p : pattern) {
    std::fill(next.begin(), next.end(), 0);
    for (std::size_t j = 0; j <= text.size(); ++j) {
      if (p == '*') {
        next[j] = row[j] || (j > 0 && next[j - 1]);
      } else if (j > 0 && row[j - 1] && text[j - 1] == p) {
        next[j] = 1;
      }
    }
    std::swap(row, next);
  }
  return row[text.size()];
}

// Name lookups built once per call, so that checks stay linear in the
// number of alphas (Recipe::find_alpha scans the list).
class NameIndex {
 public:
  explicit NameIndex(const Recipe& recipe) : recipe_(recipe) {
    for (std::size_t k = 0; k < recipe.alphas.size(); ++k) {
      alphas_.emplace(recipe.alphas[k].name, k);
      names_.push_back(recipe.alphas[k].name);
    }
    for (std::size_t k = 0; k < recipe.ensembles.size(); ++k) {
      ensembles_.emplace(recipe.ensembles[k].name, k);
    }
    // Messages list at most 30 names.
    const std::size_t shown = std::min<std::size_t>(names_.size(), 30);
    defined_ = join(std::vector<std::string>(names_.begin(), names_.begin() + shown));
    if (shown < names_.size()) {
      defined_ += " and " + std::to_string(names_.size() - shown) + " more";
    }
  }

  const RecipeAlpha* alpha(const std::string& name) const {
    auto found = alphas_.find(name);
    return found == alphas_.end() ? nullptr : &recipe_.alphas[found->second];
  }
  const RecipeEnsemble* ensemble(const std::string& name) const {
    auto found = ensembles_.find(name);
    return found == ensembles_.end() ? nullptr : &recipe_.ensembles[found->second];
  }
  // Position in definition order: alphas first, then ensembles.
  std::size_t position(const std::string& name) const {
    auto found = alphas_.find(name);
    if (found != alphas_.end()) return found->second;
    return recipe_.alphas.size() + ensembles_.at(name);
  }
  const std::vector<std::string>& alpha_names() const { return names_; }
  const std::string& defined() const { return defined_; }

  std::vector<std::string> match(const std::string& pattern) const {
    if (!is_pattern(pattern)) {
      if (alpha(pattern)) return {pattern};
      return {};
    }
    std::vector<std::string> names;
    for (const auto& name : names_) {
      if (pattern_matches(pattern, name)) names.push_back(name);
    }
    return names;
  }

  // Dependencies of an alpha (inputs, then targets) or an ensemble (members).
  std::vector<std::string> dependencies(const std::string& name) const {
    if (const RecipeAlpha* found = alpha(name)) {
      std::vector<std::string> result = found->inputs;
      for (const auto& target : found->targets) {
        if (std::find(result.begin(), result.end(), target) == result.end()) result.push_back(target);
      }
      return result;
    }
    if (const RecipeEnsemble* found = ensemble(name)) return found->members;
    throw InputError(recipe_.file.string() + ": '" + name + "' is neither an alpha nor an ensemble");
  }

 private:
  const Recipe& recipe_;
  std::unordered_map<std::string, std::size_t> alphas_;
  std::unordered_map<std::string, std::size_t> ensembles_;
  std::vector<std::string> names_;
  std::string defined_;
};

// A resolved dependency and the line of the reference that named it.
struct Edge {
  std::string to;
  int line = 0;
};

// Resolves references to alpha names, skipping the owner itself, and keeps
// the first occurrence of each name.
std::vector<Edge> resolve_list(const NameIndex& index, const std::vector<AlphaReference>& references,
                               const std::string& owner) {
  std::vector<Edge> edges;
  std::set<std::string> seen;
  for (const auto& reference : references) {
    for (const auto& name : index.match(reference.text)) {
      if (name != owner && seen.insert(name).second) edges.push_back({name, reference.line});
    }
  }
  return edges;
}

// Dependencies of one alpha: inputs, then targets.
std::vector<Edge> alpha_edges(const NameIndex& index, const RecipeAlpha& alpha) {
  std::vector<AlphaReference> references = alpha.input_refs;
  references.insert(references.end(), alpha.target_refs.begin(), alpha.target_refs.end());
  return resolve_list(index, references, alpha.name);
}

std::vector<std::string> names_of(const std::vector<Edge>& edges) {
  std::vector<std::string> names;
  for (const auto& edge : edges) names.push_back(edge.to);
  return names;
}

// Reports references of one list that do not name alphas.
void check_alpha_list(const NameIndex& index, const RecipeAlpha& alpha, const std::string& key,
                      const std::vector<AlphaReference>& references, Problems& problems) {
  for (const auto& reference : references) {
    const std::string& text = reference.text;
    if (text == alpha.name) {
      problems.add(reference.line,
                   key == "inputs"
                       ? "alpha '" + alpha.name + "' cannot be a residual of itself: remove '" +
                             text + "' from its inputs"
                       : "alpha '" + alpha.name + "' cannot be trained on the residual of its " +
                             "own output: remove '" + text + "' from its targets");
    } else if (is_pattern(text)) {
      const auto matches = index.match(text);
      if (std::find(matches.begin(), matches.end(), alpha.name) != matches.end()) {
        problems.add(reference.line, "pattern '" + text + "' in the " + key + " of alpha '" +
                                         alpha.name + "' matches the alpha itself; narrow the "
                                         "pattern or list the names");
      } else if (matches.empty()) {
        problems.add(reference.line, "pattern '" + text + "' in the " + key + " of alpha '" +
                                         alpha.name + "' matches no alpha (defined: " +
                                         index.defined() + ")");
      }
    } else if (index.ensemble(text)) {
      problems.add(reference.line, "alpha '" + alpha.name + "' lists '" + text + "' in its " +
                                       key + ", but '" + text + "' is an ensemble; " + key +
                                       " must be alphas");
    } else if (!index.alpha(text)) {
      problems.add(reference.line, "alpha '" + alpha.name + "' has " +
                                       (key == "inputs" ? "input" : "target") + " '" + text +
                                       "', which is not defined (defined: " + index.defined() +
                                       ")" + did_you_mean(text, index.alpha_names()));
    }
  }
}

void check_ensemble_list(const NameIndex& index, const RecipeEnsemble& ensemble,
                         Problems& problems) {
  for (const auto& reference : ensemble.member_refs) {
    const std::string& text = reference.text;
    if (text == ensemble.name) {
      problems.add(reference.line, "ensemble '" + ensemble.name + "' lists itself; an ensemble "
                                   "blends alphas, so remove '" + text + "' from its list");
    } else if (is_pattern(text)) {
      if (index.match(text).empty()) {
        problems.add(reference.line, "pattern '" + text + "' in ensemble '" + ensemble.name +
                                         "' matches no alpha (defined: " + index.defined() + ")");
      }
    } else if (index.ensemble(text)) {
      problems.add(reference.line, "ensemble '" + ensemble.name + "' lists '" + text +
                                       "', which is an ensemble; list its alphas instead");
    } else if (!index.alpha(text)) {
      problems.add(reference.line, "ensemble '" + ensemble.name + "' lists '" + text +
                                       "', which is not defined (defined: " + index.defined() +
                                       ")" + did_you_mean(text, index.alpha_names()));
    }
  }
}

}  // namespace

bool pattern_matches(const std::string& pattern, const std::string& name) {
  const std::vector<std::string> p = split_parts(pattern);
  const std::vector<std::string> n = split_parts(name);
  // matched[j]: the first i pattern parts match the first j name parts.
  std::vector<char> matched(n.size() + 1, 0), next(n.size() + 1, 0);
  matched[0] = 1;
  for (const auto& part : p) {
    std::fill(next.begin(), next.end(), 0);
    for (std::size_t j = 0; j <= n.size(); ++j) {
      if (part == "**") {
        next[j] = matched[j] || (j > 0 && next[j - 1]);
      } else if (j > 0 && matched[j - 1] && part_matches(part, n[j - 1])) {
        next[j] = 1;
      }
    }
    std::swap(matched, next);
  }
  return matched[n.size()];
}

std::vector<std::string> match_alphas(const Recipe& recipe, const std::string& pattern) {
  return NameIndex(recipe).match(pattern);
}

void recipe_detail::resolve_references(Recipe& recipe, Problems& problems) {
  const NameIndex index(recipe);
  for (const auto& alpha : recipe.alphas) {
    check_alpha_list(index, alpha, "inputs", alpha.input_refs, problems);
    check_alpha_list(index, alpha, "targets", alpha.target_refs, problems);
  }
  for (const auto& ensemble : recipe.ensembles) check_ensemble_list(index, ensemble, problems);

  // The index points into recipe.alphas; only the resolved lists change.
  for (auto& alpha : recipe.alphas) {
    alpha.inputs = names_of(resolve_list(index, alpha.input_refs, alpha.name));
    alpha.targets = names_of(resolve_list(index, alpha.target_refs, alpha.name));
  }
  for (auto& ensemble : recipe.ensembles) {
    ensemble.members = names_of(resolve_list(index, ensemble.member_refs, ensemble.name));
  }
}

void resolve_references(Recipe& recipe) {
  Problems problems(recipe.file.string());
  recipe_detail::resolve_references(recipe, problems);
  problems.throw_if_any();
}

void check_families(const Recipe& recipe, const std::vector<std::string>& families) {
  std::vector<std::string> names;
  for (const auto& alpha : recipe.alphas) names.push_back(alpha.name);
  check_families(recipe, families, names);
}

void check_families(const Recipe& recipe, const std::vector<std::string>& families,
                    const std::vector<std::string>& names) {
  Problems problems(recipe.file.string());
  recipe_detail::check_families(recipe, families, names, problems);
  problems.throw_if_any();
}

void recipe_detail::check_families(const Recipe& recipe, const std::vector<std::string>& families,
                                   const std::vector<std::string>& names, Problems& problems,
                                   const std::vector<std::string>& unloaded_plugins) {
  const std::set<std::string> checked(names.begin(), names.end());
  std::set<std::pair<int, std::string>> reported;  // expanded alphas share a line
  for (const auto& alpha : recipe.alphas) {
    if (!checked.count(alpha.name) || alpha.family.empty()) continue;
    if (std::find(families.begin(), families.end(), alpha.family) != families.end()) continue;
    if (!reported.insert({alpha.family_line, alpha.family}).second) continue;
    const std::string available = families.empty() ? "none: no plugin was found" : join(families);
    std::string message = "alpha '" + alpha.name + "' has family '" + alpha.family +
                          "', which no plugin provides" + did_you_mean(alpha.family, families) +
                          " (available: " + available + ")";
    for (const auto& note : unloaded_plugins) message += "; " + note;
    problems.add(alpha.family_line, message);
  }
}

void check_cycles(const Recipe& recipe) {
  Problems problems(recipe.file.string());
  recipe_detail::check_cycles(recipe, problems);
  problems.throw_if_any();
}

void recipe_detail::check_cycles(const Recipe& recipe, Problems& problems) {
  // Depth-first search with an explicit stack over the alphas in name order,
  // each alpha's dependencies in name order too, so the cycle found depends
  // only on the graph. Colors: 0 unvisited, 1 on the current path, 2 done.
  const NameIndex index(recipe);
  std::map<std::string, std::vector<Edge>> graph;
  for (const auto& alpha : recipe.alphas) {
    auto edges = alpha_edges(index, alpha);
    std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return a.to < b.to; });
    graph[alpha.name] = std::move(edges);
  }
  std::map<std::string, int> color;
  struct Frame {
    std::string node;
    std::size_t next_edge = 0;
  };
  for (const auto& [start, start_edges] : graph) {
    if (color[start] != 0) continue;
    std::vector<Frame> stack = {{start, 0}};
    color[start] = 1;
    while (!stack.empty()) {
      Frame& frame = stack.back();
      const auto& edges = graph[frame.node];
      if (frame.next_edge == edges.size()) {
        color[frame.node] = 2;
        stack.pop_back();
        continue;
      }
      const Edge& edge = edges[frame.next_edge++];
      if (color[edge.to] == 0) {
        color[edge.to] = 1;
        stack.push_back({edge.to, 0});
        continue;
      }
      if (color[edge.to] != 1) continue;

      // The path from edge.to to the top of the stack, closed by `edge`:
      // each node with the line where it names the next one.
      std::vector<std::pair<std::string, int>> cycle;
      std::size_t first = 0;
      while (stack[first].node != edge.to) ++first;
      for (std::size_t k = first; k < stack.size(); ++k) {
        const Frame& member = stack[k];
        cycle.push_back({member.node, graph[member.node][member.next_edge - 1].line});
      }
      // Start at the smallest name, so any entry point prints the same cycle.
      auto smallest = std::min_element(cycle.begin(), cycle.end());
      std::rotate(cycle.begin(), smallest, cycle.end());
      // A cycle of more than 100 alphas prints its first and last 50.
      std::string text;
      for (std::size_t k = 0; k < cycle.size(); ++k) {
        if (cycle.size() > 100 && k == 50) {
          text += "... (" + std::to_string(cycle.size() - 100) + " more) -> ";
          k = cycle.size() - 50;
        }
        text += cycle[k].first + " (line " + std::to_string(cycle[k].second) + ") -> ";
      }
      problems.add(0, "dependency cycle: " + text + cycle.front().first +
                          "; an alpha cannot depend on its own output, so remove one of these "
                          "references");
      return;
    }
  }
}

void validate_recipe(Recipe& recipe, const std::vector<std::string>& families) {
  // The recipe's own structure first, so its errors do not depend on the
  // plugins installed.
  resolve_references(recipe);
  check_cycles(recipe);
  check_families(recipe, families);
}

std::vector<std::string> dependency_order(const Recipe& recipe,
                                          const std::vector<std::string>& names) {
  const NameIndex index(recipe);

  // The requested names and everything they depend on.
  std::set<std::string> needed;
  std::vector<std::string> pending = names;
  while (!pending.empty()) {
    std::string name = pending.back();
    pending.pop_back();
    if (!needed.insert(name).second) continue;
    for (auto& dependency : index.dependencies(name)) pending.push_back(dependency);
  }

  // Kahn's algorithm; among ready nodes the one defined first goes first.
  std::map<std::string, std::size_t> waiting;              // unmet dependencies
  std::map<std::string, std::vector<std::string>> users;  // reverse edges
  std::set<std::pair<std::size_t, std::string>> ready;
  for (const auto& name : needed) {
    const auto dependencies = index.dependencies(name);
    waiting[name] = dependencies.size();
    for (const auto& dependency : dependencies) users[dependency].push_back(name);
    if (dependencies.empty()) ready.insert({index.position(name), name});
  }
  std::vector<std::string> order;
  while (!ready.empty()) {
    const std::string name = ready.begin()->second;
    ready.erase(ready.begin());
    order.push_back(name);
    for (const auto& user : users[name]) {
      if (--waiting[user] == 0) ready.insert({index.position(user), user});
    }
  }
  if (order.size() != needed.size()) {
    throw InputError(recipe.file.string() + ": dependency cycle among " +
                     std::to_string(needed.size() - order.size()) +
                     " alphas; run 'alphas check' on the recipe for the details");
  }
  return order;
}

std::vector<std::string> dependents_of(const Recipe& recipe, const std::string& name) {
  const NameIndex index(recipe);
  std::map<std::string, std::vector<std::string>> users;  // reverse edges
  for (const auto& alpha : recipe.alphas) {
    for (const auto& dependency : index.dependencies(alpha.name)) users[dependency].push_back(alpha.name);
  }
  std::set<std::string> affected;
  std::vector<std::string> pending = {name};
  while (!pending.empty()) {
    const std::string current = pending.back();
    pending.pop_back();
    for (const auto& user : users[current]) {
      if (affected.insert(user).second) pending.push_back(user);
    }
  }
  std::vector<std::string> result;
  for (const auto& alpha : recipe.alphas) {
    if (affected.count(alpha.name)) result.push_back(alpha.name);
  }
  return result;
}

}  // namespace alphas
