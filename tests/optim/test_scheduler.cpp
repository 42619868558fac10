// LR schedulers against PyTorch's lrs over 20 steps (tests/golden/golden_optim.py), resuming from
// a state_dict, and bad arguments.
#include <cmath>

#include "optim/optim_golden.h"

using namespace ember;
using namespace ember::optim;
using ember::test::check_error;
using ember::test::optim_golden;

namespace {

// PyTorch's lrs as doubles (hi + lo float pair).
std::vector<double> torch_lrs(const std::string& name) {
  const auto hi = optim_golden()["sched." + name + ".hi"].to_vector();
  const auto lo = optim_golden()["sched." + name + ".lo"].to_vector();
  std::vector<double> out;
  for (size_t i = 0; i < hi.size(); ++i) out.push_back(double(hi[i]) + double(lo[i]));
  return out;
}

void check_lrs(const std::vector<double>& got, const std::vector<double>& expected) {
  REQUIRE(got.size() == expected.size());
  for (size_t t = 0; t < got.size(); ++t) {
    CAPTURE(t);
    CAPTURE(got[t]);
    CAPTURE(expected[t]);
    // Relative 1e-12, plus 1e-15 absolute for PyTorch's ~1e-18 where the closed form gives 0.
    CHECK(std::fabs(got[t] - expected[t]) <= 1e-12 * std::fabs(expected[t]) + 1e-15);
  }
}

using Build = std::function<std::unique_ptr<LRScheduler>(Optimizer&)>;

std::vector<std::pair<std::string, Build>> schedulers() {
  return {
      {"step", [](Optimizer& o) { return std::make_unique<StepLR>(o, 3, 0.5); }},
      {"multistep", [](Optimizer& o) { return std::make_unique<MultiStepLR>(o, std::vector<int64_t>{2, 5, 9}, 0.3); }},
      {"exponential", [](Optimizer& o) { return std::make_unique<ExponentialLR>(o, 0.9); }},
      {"cosine", [](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 8, 0.01); }},
      {"warmup", [](Optimizer& o) { return std::make_unique<LinearWarmup>(o, 4, 0.25); }},
      {"warmup_cosine",
       [](Optimizer& o) {
         auto cosine = std::make_unique<CosineAnnealingLR>(o, 10);
         return std::make_unique<LinearWarmup>(o, 4, 0.25, std::move(cosine));
       }},
  };
}

}  // namespace

TEST_CASE("schedulers match PyTorch over 20 steps") {
  for (const auto& [name, build] : schedulers()) {
    CAPTURE(name);
    SGD opt({zeros({1}).requires_grad_()}, SGDOptions(0.1));
    auto sched = build(opt);
    std::vector<double> lrs{opt.lr()};
    CHECK(sched->get_last_lr() == std::vector<double>{opt.lr()});
    for (int t = 0; t < 20; ++t) {
      sched->step();
      lrs.push_back(opt.lr());
      CHECK(sched->get_last_lr()[0] == opt.lr());
    }
    check_lrs(lrs, torch_lrs(name));
  }
}

TEST_CASE("schedulers resume from a state_dict") {
  for (const auto& [name, build] : schedulers()) {
    CAPTURE(name);
    SGD a({zeros({1}).requires_grad_()}, SGDOptions(0.1));
    auto sa = build(a);
    for (int t = 0; t < 7; ++t) sa->step();
    const nn::StateDict saved = sa->state_dict();
    // A fresh optimizer with another lr: the base lrs come from the state.
    SGD b({zeros({1}).requires_grad_()}, SGDOptions(0.1));
    auto sb = build(b);
    sb->load_state_dict(saved);
    CHECK(b.lr() == a.lr());
    for (int t = 0; t < 5; ++t) {
      sa->step();
      sb->step();
      CHECK(b.lr() == a.lr());
    }
  }
  SGD o({zeros({1}).requires_grad_()}, SGDOptions(0.1));
  StepLR step(o, 2);
  ExponentialLR exp(o, 0.5);
  check_error([&] { exp.load_state_dict(step.state_dict()); }, {"ExponentialLR", "saved by StepLR"});
}

TEST_CASE("a scheduler state's integers must fit in int64") {
  // fuzz/fuzz_safetensors.cpp found last_epoch = "1e300" in a checkpoint cast to int64_t
  // (undefined behaviour) instead of being rejected.
  SGD o({zeros({1}).requires_grad_()}, SGDOptions(0.1));
  StepLR step(o, 2);
  for (const char* bad : {"1e300", "-1e300", "9223372036854775808", "inf", "nan"}) {
    CAPTURE(bad);
    nn::StateDict state = step.state_dict();
    state.metadata["last_epoch"] = bad;
    check_error([&] { step.load_state_dict(state); }, {"StepLR", "'last_epoch'"});
  }
  ReduceLROnPlateau plateau(o);
  nn::StateDict state = plateau.state_dict();
  state.metadata["num_bad_epochs"] = "1e300";
  check_error([&] { plateau.load_state_dict(state); }, {"ReduceLROnPlateau", "'num_bad_epochs'", "not an integer"});
}

TEST_CASE("ReduceLROnPlateau matches PyTorch") {
  const std::vector<std::pair<std::string, PlateauOptions>> cases{
      {"plateau_min", PlateauOptions().mode("min").factor(0.5).patience(2).threshold(0.01).cooldown(1).min_lr(0.01)},
      {"plateau_max_abs", PlateauOptions().mode("max").factor(0.3).patience(1).threshold(0.02).threshold_mode("abs")},
  };
  for (const auto& [name, options] : cases) {
    CAPTURE(name);
    const auto metrics = optim_golden()["sched." + name + ".metrics"].to_vector();
    SGD opt({zeros({1}).requires_grad_()}, SGDOptions(0.1));
    ReduceLROnPlateau sched(opt, options);
    std::vector<double> lrs{opt.lr()};
    for (float m : metrics) {
      sched.step(m);
      lrs.push_back(sched.get_last_lr()[0]);
    }
    check_lrs(lrs, torch_lrs(name));

    // Resume halfway.
    SGD a({zeros({1}).requires_grad_()}, SGDOptions(0.1)), b({zeros({1}).requires_grad_()}, SGDOptions(0.1));
    ReduceLROnPlateau sa(a, options), sb(b, options);
    for (size_t i = 0; i < 10; ++i) sa.step(metrics[i]);
    sb.load_state_dict(sa.state_dict());
    b.set_lr(a.lr());  // the lr lives in the optimizer's state
    for (size_t i = 10; i < metrics.size(); ++i) {
      sa.step(metrics[i]);
      sb.step(metrics[i]);
      CHECK(a.lr() == b.lr());
    }
  }
}

TEST_CASE("schedulers reject bad arguments") {
  SGD o({zeros({1}).requires_grad_()}, SGDOptions(0.1));
  check_error([&] { StepLR(o, 0); }, {"StepLR", "step_size", "0"});
  check_error([&] { MultiStepLR(o, {5, 3}); }, {"MultiStepLR", "increasing", "5 then 3"});
  check_error([&] { CosineAnnealingLR(o, 0); }, {"CosineAnnealingLR", "T_max", "0"});
  check_error([&] { LinearWarmup(o, 5, 0.0); }, {"LinearWarmup", "start_factor", "0"});
  check_error([&] { ReduceLROnPlateau(o, PlateauOptions().factor(1.0)); }, {"ReduceLROnPlateau", "factor", "1"});
  check_error([&] { ReduceLROnPlateau(o, PlateauOptions().mode("up")); }, {"ReduceLROnPlateau", "mode", "'up'"});
}
