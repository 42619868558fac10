// RMSprop: PyTorch golden runs for every option, bad options.
#include "optim/optim_golden.h"

using namespace ember;
using namespace ember::optim;
using ember::test::check_error;
using ember::test::check_optim_golden;

namespace {
std::function<std::unique_ptr<Optimizer>(const TensorList&)> rms(RMSpropOptions o) {
  return [o](const TensorList& p) { return std::make_unique<RMSprop>(p, o); };
}
}  // namespace

TEST_CASE("RMSprop matches PyTorch after 5 steps for every option") {
  check_optim_golden("rmsprop", rms(RMSpropOptions(0.01)));
  check_optim_golden("rmsprop_momentum", rms(RMSpropOptions(0.01).momentum(0.9)));
  check_optim_golden("rmsprop_centered", rms(RMSpropOptions(0.01).centered(true)));
  check_optim_golden("rmsprop_all",
                     rms(RMSpropOptions(0.01).alpha(0.9).eps(1e-6).weight_decay(0.1).momentum(0.5).centered(true)));
}

TEST_CASE("RMSprop state names follow the options") {
  const TensorList params = ember::test::optim_init_params();
  RMSprop opt(params, RMSpropOptions(0.01).momentum(0.9).centered(true));
  ember::test::optim_golden_step(opt, params, 0);
  CHECK(opt.state(0)->tensors.size() == 3);
  CHECK(opt.state_dict().contains("state.1.grad_avg"));
  CHECK(opt.state_dict().contains("state.0.momentum_buffer"));
}

TEST_CASE("RMSprop rejects bad options") {
  const Tensor p = zeros({2}).requires_grad_();
  check_error([&] { RMSprop({p}, RMSpropOptions(-0.01)); }, {"RMSprop", "learning rate", "-0.01"});
  check_error([&] { RMSprop({p}, RMSpropOptions().alpha(1.5)); }, {"RMSprop", "alpha", "1.5"});
  check_error([&] { RMSprop({p}, RMSpropOptions().momentum(-1)); }, {"RMSprop", "momentum", "-1"});
  check_error([&] { RMSprop({p}, RMSpropOptions().eps(-1)); }, {"RMSprop", "eps", "-1"});
  check_error([&] { RMSprop({p}, RMSpropOptions().weight_decay(-2)); }, {"RMSprop", "weight_decay", "-2"});
}
