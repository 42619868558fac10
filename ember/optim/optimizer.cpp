#include "ember/optim/optimizer.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <set>

#include "ember/autograd/grad_mode.h"
#include "ember/core/parallel.h"
#include "ember/core/profiler.h"

namespace ember::optim {

namespace {
constexpr int64_t kMaxStep = int64_t{1} << 53;
}  // namespace

const Tensor& ParamState::at(const std::string& name) const {
  auto it = tensors.find(name);
  EMBER_CHECK(it != tensors.end(), "optimizer state: no tensor named '{}'", name);
  return it->second;
}

Optimizer::Optimizer(std::string name, std::vector<TensorList> groups) : name_(std::move(name)), groups_(std::move(groups)) {
  EMBER_CHECK(!groups_.empty(), "{}: needs at least one parameter group", name_);
  std::set<const TensorImpl*> seen;
  size_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    EMBER_CHECK(!groups_[g].empty(), "{}: parameter group {} is empty", name_, g);
    for (const Tensor& p : groups_[g]) {
      EMBER_CHECK(p.defined(), "{}: parameter {} (group {}) is undefined", name_, index, g);
      EMBER_CHECK(p.dtype() == DType::f32, "{}: parameter {} is {}, expected float32", name_, index, p.describe());
      EMBER_CHECK(p.is_leaf() && p.requires_grad(),
                  "{}: parameter {} ({}) must be a leaf that requires grad", name_, index, p.describe());
      EMBER_CHECK(p.is_contiguous(), "{}: parameter {} ({}) must be contiguous", name_, index, p.describe());
      EMBER_CHECK(seen.insert(p.impl().get()).second, "{}: parameter {} ({}) appears more than once", name_, index,
                  p.describe());
      ++index;
    }
  }
  states_.resize(index);
}

const TensorList& Optimizer::params(size_t group) const {
  EMBER_CHECK(group < groups_.size(), "{}: group {} out of range ({} groups)", name_, group, groups_.size());
  return groups_[group];
}

void Optimizer::zero_grad() {
  for (const auto& group : groups_)
    for (const Tensor& p : group) p.zero_grad();
}

void Optimizer::step() {
  profiler::Scope timed(name_, profiler::Phase::optimizer);
  NoGradGuard no_grad;
  struct Piece {
    size_t group;
    Tensor param, grad;
    ParamState* state;
    int64_t offset;  // where this parameter starts in the concatenation of all of them
  };
  std::vector<Piece> work;
  work.reserve(states_.size());
  int64_t total = 0;
  size_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    for (const Tensor& p : groups_[g]) {
      ParamState& state = states_[index];
      Tensor grad = p.grad();
      if (grad.defined()) {
        EMBER_CHECK(grad.shape() == p.shape() && grad.dtype() == DType::f32,
                    "{}: parameter {} is {} but its gradient is {}", name_, index, p.describe(), grad.describe());
        if (!grad.is_contiguous()) grad = grad.contiguous();
        if (state.step == 0) {
          for (const auto& n : state_names(g)) state.tensors[n] = zeros(p.shape());
        }
        ++state.step;
        work.push_back({g, p, grad, &state, total});
        total += p.numel();
      }
      ++index;
    }
  }
  // One parallel pass over every parameter's elements, in fixed chunks of the concatenation:
  // many small parameters (LeNet's biases) share a task instead of each paying for its own
  // parallel loop. Updates are elementwise, so the chunking cannot change a result.
  parallel_for(0, total, detail::kUpdateGrain, [&](int64_t begin, int64_t end) {
    auto it = std::upper_bound(work.begin(), work.end(), begin,
                               [](int64_t at, const Piece& piece) { return at < piece.offset; });
    for (--it; it != work.end() && it->offset < end; ++it) {
      const int64_t lo = std::max(begin, it->offset) - it->offset;
      const int64_t hi = std::min(end, it->offset + it->param.numel()) - it->offset;
      if (lo < hi) update(it->group, it->param, it->grad, *it->state, {lo, hi});
    }
  });
  for (const Piece& piece : work) {
    piece.param.bump_version();
    for (auto& [n, t] : piece.state->tensors) t.bump_version();
  }
}

std::vector<double> Optimizer::lrs() const {
  std::vector<double> out;
  for (size_t g = 0; g < groups_.size(); ++g) out.push_back(lr(g));
  return out;
}

void Optimizer::set_lr(double value) {
  for (size_t g = 0; g < groups_.size(); ++g) set_lr(g, value);
}

const ParamState* Optimizer::state(size_t index) const {
  EMBER_CHECK(index < states_.size(), "{}: parameter index {} out of range ({} parameters)", name_, index,
              states_.size());
  return states_[index].step > 0 ? &states_[index] : nullptr;
}

nn::StateDict Optimizer::state_dict() const {
  nn::StateDict dict;
  dict.metadata["optimizer"] = name_;
  dict.metadata["groups"] = std::to_string(groups_.size());
  size_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    dict.metadata[fmt::format("group.{}.params", g)] = std::to_string(groups_[g].size());
    for (const auto& [key, value] : option_items(g)) dict.metadata[fmt::format("group.{}.{}", g, key)] = value;
    const auto names = state_names(g);
    for (size_t k = 0; k < groups_[g].size(); ++k, ++index) {
      const ParamState& st = states_[index];
      if (st.step == 0) continue;
      dict.metadata[fmt::format("state.{}.step", index)] = std::to_string(st.step);
      for (const auto& n : names) dict.insert(fmt::format("state.{}.{}", index, n), st.at(n).clone());
    }
  }
  return dict;
}

void Optimizer::check_header(const nn::StateDict& dict, std::vector<std::string>& errors) const {
  auto get = [&](const std::string& key) -> std::string {
    auto it = dict.metadata.find(key);
    if (it == dict.metadata.end()) {
      errors.push_back(fmt::format("missing metadata '{}'", key));
      return {};
    }
    return it->second;
  };
  const std::string saved_name = get("optimizer");
  if (!saved_name.empty() && saved_name != name_)
    errors.push_back(fmt::format("the state was saved by {}, not {}", saved_name, name_));
  const std::string groups = get("groups");
  if (!groups.empty() && groups != std::to_string(groups_.size())) {
    errors.push_back(fmt::format("the state has {} parameter groups, this optimizer {}", groups, groups_.size()));
    return;
  }
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string count = get(fmt::format("group.{}.params", g));
    if (!count.empty() && count != std::to_string(groups_[g].size()))
      errors.push_back(fmt::format("group {} has {} parameters in the state, {} here", g, count, groups_[g].size()));
  }
}

std::vector<ParamState> Optimizer::read_states(const nn::StateDict& dict,
                                               const std::vector<std::vector<std::string>>& names,
                                               std::vector<std::string>& errors) const {
  std::vector<ParamState> out(states_.size());
  std::set<std::string> expected;
  size_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    for (const Tensor& p : groups_[g]) {
      const std::string step_key = fmt::format("state.{}.step", index);
      auto it = dict.metadata.find(step_key);
      if (it != dict.metadata.end()) {
        int64_t step = 0;
        const char* first = it->second.data();
        const char* last = first + it->second.size();
        auto [ptr, ec] = std::from_chars(first, last, step);
        // At most 2^53 (kMaxStep): the step goes up by one with every step() and into the bias
        // corrections as a double; a hostile INT64_MAX would overflow at the next one.
        if (ec != std::errc() || ptr != last || step < 1 || step > kMaxStep) {
          errors.push_back(fmt::format("metadata '{}' = '{}' is not an integer from 1 to 2^53 = {}", step_key,
                                       it->second, kMaxStep));
        }
        out[index].step = step;
        for (const auto& n : names[g]) {
          const std::string key = fmt::format("state.{}.{}", index, n);
          expected.insert(key);
          if (!dict.contains(key)) {
            errors.push_back(fmt::format("missing key '{}'", key));
            continue;
          }
          const Tensor& t = dict.at(key);
          if (t.shape() != p.shape() || t.dtype() != DType::f32) {
            errors.push_back(fmt::format("'{}' is {}, expected {} like parameter {}", key, t.describe(), p.describe(),
                                         index));
            continue;
          }
          out[index].tensors[n] = t.detach().clone();
        }
      }
      ++index;
    }
  }
  for (const auto& key : dict.keys()) {
    if (!expected.count(key)) errors.push_back(fmt::format("unexpected key '{}'", key));
  }
  for (const auto& [key, value] : dict.metadata) {
    if (key.rfind("state.", 0) == 0) {
      const size_t dot = key.find('.', 6);
      const std::string idx = key.substr(6, dot == std::string::npos ? std::string::npos : dot - 6);
      size_t i = 0;
      auto [ptr, ec] = std::from_chars(idx.data(), idx.data() + idx.size(), i);
      if (ec != std::errc() || ptr != idx.data() + idx.size() || i >= states_.size())
        errors.push_back(fmt::format("unexpected metadata '{}' ({} parameters)", key, states_.size()));
    }
  }
  return out;
}

void Optimizer::fail_load(const std::vector<std::string>& errors) const {
  std::string message = fmt::format("{}: load_state_dict: {} problem{}:", name_, errors.size(),
                                    errors.size() == 1 ? "" : "s");
  for (const auto& e : errors) message += "\n  " + e;
  throw Error(message);
}

}  // namespace ember::optim
