// SGD: PyTorch golden runs for every option, parameter groups, skipped parameters, bad options.
#include "optim/optim_golden.h"

using namespace ember;
using namespace ember::optim;
using ember::test::check_error;
using ember::test::check_optim_golden;

namespace {
std::function<std::unique_ptr<Optimizer>(const TensorList&)> sgd(SGDOptions o) {
  return [o](const TensorList& p) { return std::make_unique<SGD>(p, o); };
}
}  // namespace

TEST_CASE("SGD matches PyTorch after 5 steps for every option") {
  check_optim_golden("sgd_plain", sgd(SGDOptions(0.1)));
  check_optim_golden("sgd_momentum", sgd(SGDOptions(0.1).momentum(0.9)));
  check_optim_golden("sgd_dampening", sgd(SGDOptions(0.1).momentum(0.9).dampening(0.3)));
  check_optim_golden("sgd_nesterov", sgd(SGDOptions(0.1).momentum(0.9).nesterov(true)));
  check_optim_golden("sgd_wd", sgd(SGDOptions(0.1).momentum(0.9).weight_decay(0.05)));
  check_optim_golden("sgd_wd_nomomentum", sgd(SGDOptions(0.1).weight_decay(0.05)));
  check_optim_golden("sgd_skip", sgd(SGDOptions(0.1).momentum(0.9)));
}

TEST_CASE("SGD parameter groups with their own lr and momentum") {
  check_optim_golden("sgd_groups", [](const TensorList& p) {
    return std::make_unique<SGD>(std::vector<SGD::Group>{{{p[0]}, SGDOptions(0.1).momentum(0.9)},
                                                         {{p[1]}, SGDOptions(0.01).momentum(0.5)}});
  });
}

TEST_CASE("SGD plain step is p - lr * g exactly") {
  const Tensor p = tensor({1.0f, -2.0f, 3.0f}).requires_grad_();
  SGD opt({p}, SGDOptions(0.5));
  p.set_grad(tensor({2.0f, 2.0f, -4.0f}));
  opt.step();
  CHECK(p.detach().to_vector() == std::vector<float>{0.0f, -3.0f, 5.0f});
  CHECK(opt.state(0) != nullptr);
  CHECK(opt.state(0)->tensors.empty());  // no momentum, no buffer
}

TEST_CASE("SGD rejects bad options naming the optimizer and the value") {
  const Tensor p = zeros({2}).requires_grad_();
  check_error([&] { SGD({p}, SGDOptions(-0.1)); }, {"SGD", "learning rate", "-0.1"});
  check_error([&] { SGD({p}, SGDOptions(0.1).momentum(-0.5)); }, {"SGD", "momentum", "-0.5"});
  check_error([&] { SGD({p}, SGDOptions(0.1).weight_decay(-1)); }, {"SGD", "weight_decay", "-1"});
  check_error([&] { SGD({p}, SGDOptions(0.1).nesterov(true)); }, {"SGD", "nesterov", "momentum 0"});
  check_error([&] { SGD({p}, SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true)); },
              {"SGD", "nesterov", "dampening 0.1"});
  SGD opt({p}, SGDOptions(0.1));
  check_error([&] { opt.set_lr(0, -1.0); }, {"SGD", "learning rate", "-1"});
}
