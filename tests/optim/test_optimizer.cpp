// Optimizer base: zero_grad, parameter checks, lr per group, state_dict round trips (bitwise),
// load validation, and thread-count independence of every optimizer's update.
#include "optim/optim_golden.h"

using namespace ember;
using namespace ember::optim;
using ember::test::check_bitwise_equal;
using ember::test::check_error;
using ember::test::optim_golden_step;
using ember::test::optim_init_params;

namespace {

using Factory = std::function<std::unique_ptr<Optimizer>(const TensorList&)>;

std::vector<std::pair<std::string, Factory>> all_optimizers() {
  return {
      {"SGD", [](const TensorList& p) { return std::make_unique<SGD>(p, SGDOptions(0.1).momentum(0.9).nesterov(true)); }},
      {"Adam", [](const TensorList& p) { return std::make_unique<Adam>(p, AdamOptions(0.01).amsgrad(true)); }},
      {"AdamW", [](const TensorList& p) { return std::make_unique<AdamW>(p, AdamWOptions(0.01)); }},
      {"RMSprop",
       [](const TensorList& p) { return std::make_unique<RMSprop>(p, RMSpropOptions(0.01).momentum(0.5).centered(true)); }},
      {"Adagrad", [](const TensorList& p) { return std::make_unique<Adagrad>(p, AdagradOptions(0.1).lr_decay(0.1)); }},
  };
}

}  // namespace

TEST_CASE("zero_grad drops gradients; step skips parameters without one") {
  const TensorList params = optim_init_params();
  SGD opt(params, SGDOptions(0.1).momentum(0.9));
  optim_golden_step(opt, params, 0);
  opt.zero_grad();
  for (const auto& p : params) CHECK(!p.grad().defined());
  const Tensor before = params[0].detach().clone();
  opt.step();  // no gradients: nothing moves, no state changes
  check_bitwise_equal(params[0].detach(), before);
  CHECK(opt.state(0)->step == 1);
}

TEST_CASE("parameters must be distinct float leaves that require grad") {
  const Tensor a = zeros({2}).requires_grad_();
  check_error([&] { SGD({a, a}, SGDOptions(0.1)); }, {"SGD", "more than once"});
  check_error([&] { SGD({zeros({2})}, SGDOptions(0.1)); }, {"SGD", "leaf that requires grad"});
  check_error([&] { SGD(std::vector<SGD::Group>{}); }, {"SGD", "at least one"});
  check_error([&] { Adam(std::vector<Adam::Group>{{{a}, AdamOptions()}, {{a}, AdamOptions()}}); },
              {"Adam", "more than once"});
}

TEST_CASE("lr per group: read and set") {
  const TensorList p = optim_init_params();
  Adam opt(std::vector<Adam::Group>{{{p[0]}, AdamOptions(0.01)}, {{p[1]}, AdamOptions(0.002)}});
  CHECK(opt.num_groups() == 2);
  CHECK(opt.lrs() == std::vector<double>{0.01, 0.002});
  opt.set_lr(1, 0.5);
  CHECK(opt.lr(1) == 0.5);
  opt.set_lr(0.25);
  CHECK(opt.lrs() == std::vector<double>{0.25, 0.25});
}

TEST_CASE("state_dict round trip: resume after k steps gives the bits of an uninterrupted run") {
  for (const auto& [name, build] : all_optimizers()) {
    CAPTURE(name);
    for (bool skip : {false, true}) {
      const TensorList straight = optim_init_params();
      auto a = build(straight);
      for (int k = 0; k < 5; ++k) optim_golden_step(*a, straight, k, skip);

      const TensorList first = optim_init_params();
      auto b = build(first);
      for (int k = 0; k < 3; ++k) optim_golden_step(*b, first, k, skip);
      const nn::StateDict saved = b->state_dict();
      CHECK(saved.metadata.at("optimizer") == name);
      CHECK(saved.metadata.at("state.0.step") == "3");
      // A fresh optimizer (with different options, which the state restores) on copies of the params.
      TensorList resumed;
      for (const auto& p : first) resumed.push_back(p.detach().clone().requires_grad_());
      auto c = build(resumed);
      c->set_lr(123.0);
      c->load_state_dict(saved);
      CHECK(c->lrs() == b->lrs());
      for (int k = 3; k < 5; ++k) optim_golden_step(*c, resumed, k, skip);
      for (size_t i = 0; i < straight.size(); ++i) check_bitwise_equal(resumed[i].detach(), straight[i].detach());
      const nn::StateDict end_a = a->state_dict(), end_c = c->state_dict();
      CHECK(end_a.keys() == end_c.keys());
      CHECK(end_a.metadata == end_c.metadata);
      for (const auto& [key, t] : end_a) check_bitwise_equal(end_c.at(key), t);
    }
  }
}

TEST_CASE("state_dict keys follow PyTorch's naming") {
  const TensorList params = optim_init_params();
  Adam opt(params, AdamOptions(0.01));
  optim_golden_step(opt, params, 0);
  const nn::StateDict sd = opt.state_dict();
  CHECK(sd.keys() == std::vector<std::string>{"state.0.exp_avg", "state.0.exp_avg_sq", "state.1.exp_avg",
                                              "state.1.exp_avg_sq"});
  CHECK(sd.metadata.at("group.0.lr") == "0.01");
  CHECK(sd.metadata.at("group.0.amsgrad") == "0");
  CHECK(sd.metadata.at("groups") == "1");
  CHECK(sd.metadata.at("group.0.params") == "2");
}

TEST_CASE("load_state_dict reports every problem at once and changes nothing") {
  const TensorList params = optim_init_params();
  Adam opt(params, AdamOptions(0.01));
  optim_golden_step(opt, params, 0);
  const nn::StateDict good = opt.state_dict();

  nn::StateDict bad;
  bad.metadata = good.metadata;
  bad.insert("state.0.exp_avg", zeros({4, 3}));      // wrong shape
  bad.insert("state.1.exp_avg", zeros({5}));         // fine
  bad.insert("state.1.exp_avg_sq", zeros({5}));      // fine
  bad.insert("state.1.bogus", zeros({5}));           // unexpected
  // state.0.exp_avg_sq missing
  bad.metadata["group.0.beta1"] = "1.5";             // invalid option
  const TensorList fresh = optim_init_params();
  Adam target(fresh, AdamOptions(0.05));
  check_error([&] { target.load_state_dict(bad); },
              {"Adam: load_state_dict: 4 problems", "'state.0.exp_avg' is float32 [4, 3], expected float32 [3, 4]",
               "missing key 'state.0.exp_avg_sq'", "unexpected key 'state.1.bogus'", "beta1 1.5"});
  CHECK(target.lr() == 0.05);
  CHECK(target.state(0) == nullptr);

  SGD sgd(optim_init_params(), SGDOptions(0.1));
  check_error([&] { sgd.load_state_dict(good); }, {"SGD", "saved by Adam"});
  Adam three(TensorList{zeros({3, 4}).requires_grad_()}, AdamOptions());
  check_error([&] { three.load_state_dict(good); }, {"group 0 has 2 parameters in the state, 1 here"});
}

TEST_CASE("a saved step count must leave room to count on: 1 to 2^53") {
  // INT64_MAX would overflow at the next step(); 2^64 - 1 and -1 do not even fit.
  const TensorList params = optim_init_params();
  Adam opt(params, AdamOptions(0.01));
  optim_golden_step(opt, params, 0);
  nn::StateDict saved = opt.state_dict();
  for (const std::string step : {"9223372036854775807", "9007199254740993", "18446744073709551615", "-1", "0"}) {
    INFO(step);
    saved.metadata["state.0.step"] = step;
    Adam target(optim_init_params(), AdamOptions(0.01));
    check_error([&] { target.load_state_dict(saved); },
                {"Adam: load_state_dict: 1 problem",
                 "metadata 'state.0.step' = '" + step + "' is not an integer from 1 to 2^53 = 9007199254740992"});
    CHECK(target.state(0) == nullptr);
  }
  saved.metadata["state.0.step"] = "9007199254740992";
  Adam target(optim_init_params(), AdamOptions(0.01));
  target.load_state_dict(saved);
  CHECK(target.state(0)->step == 9007199254740992);
}

TEST_CASE("every optimizer gives the same bits with 1 and 2 threads on a large parameter") {
  const Tensor init = ember::test::random_tensor({300, 700}, 11);
  std::vector<Tensor> grads;
  for (uint64_t k = 0; k < 3; ++k) grads.push_back(ember::test::random_tensor({300, 700}, 20 + k));
  for (const auto& [name, build] : all_optimizers()) {
    CAPTURE(name);
    auto run = [&, build = build](int threads) {
      Tensor p = init.clone().requires_grad_();
      ember::test::with_threads(threads, [&] {
        auto opt = build({p});
        for (const auto& g : grads) {
          p.set_grad(g.clone());
          opt->step();
        }
      });
      return p.detach();
    };
    const Tensor one = run(1), two = run(2);
    check_bitwise_equal(one, two);
    CHECK(!(one.at({0, 0}) == init.at({0, 0})));
  }
}
