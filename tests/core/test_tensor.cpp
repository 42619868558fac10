#include "support/helpers.h"

using namespace ember;
using ember::test::check_error;

TEST_CASE("factories make tensors with the requested shape and values") {
  Tensor z = zeros({2, 3});
  CHECK(z.shape() == Shape{2, 3});
  CHECK(z.numel() == 6);
  CHECK(z.is_contiguous());
  for (float v : z.to_vector()) CHECK(v == 0.0f);
  CHECK(ones({4}).to_vector() == std::vector<float>{1, 1, 1, 1});
  CHECK(full({2}, 2.5f).to_vector() == std::vector<float>{2.5f, 2.5f});
  CHECK(arange(4).to_vector() == std::vector<float>{0, 1, 2, 3});
  CHECK(arange(1.0, 2.0, 0.25).to_vector() == std::vector<float>{1, 1.25f, 1.5f, 1.75f});
  CHECK(arange(3, DType::i64).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2});
  Tensor m = tensor({{1, 2}, {3, 4}});
  CHECK(m.shape() == Shape{2, 2});
  CHECK(m.at({1, 0}) == 3.0f);
  CHECK(scalar_tensor(7).dim() == 0);
  CHECK(scalar_tensor(7).item() == 7.0f);
  CHECK(labels({3, 1}).dtype() == DType::i64);
}

TEST_CASE("storage is 64-byte aligned") {
  for (int64_t n : {1, 3, 17, 1000}) {
    Tensor t = empty({n});
    CHECK(reinterpret_cast<uintptr_t>(t.data<float>()) % 64 == 0);
  }
}

TEST_CASE("element access checks bounds and dtype") {
  Tensor t = zeros({2, 3});
  t.set({1, 2}, 5.0f);
  CHECK(t.at({1, 2}) == 5.0f);
  CHECK(t.at({-1, -1}) == 5.0f);
  check_error([&] { (void)t.at({2, 0}); }, {"index 2", "size 2"});
  check_error([&] { (void)t.at({0}); }, {"1 indices", "2 dimensions"});
  check_error([&] { (void)t.data<int64_t>(); }, {"float32", "int64"});
  check_error([&] { (void)t.item(); }, {"one-element", "[2, 3]"});
  check_error([] { (void)from_vector(std::vector<float>{1, 2, 3}, {2, 2}); }, {"3 values", "[2, 2]"});
  check_error([] { (void)tensor({{1, 2}, {3}}); }, {"row 1"});
  check_error([] { (void)zeros({2, -1}); }, {"non-negative"});
  check_error([] { (void)Tensor().shape(); }, {"undefined"});
}

TEST_CASE("set bumps the version counter shared by views") {
  Tensor t = zeros({4});
  Tensor v = t.narrow(0, 1, 2);
  const auto before = v.version();
  t.set({0}, 1.0f);
  CHECK(v.version() == before + 1);
}

TEST_CASE("views share storage and see writes") {
  Tensor t = arange(6).reshape({2, 3});
  Tensor tt = t.t();
  CHECK(tt.shape() == Shape{3, 2});
  CHECK_FALSE(tt.is_contiguous());
  CHECK(tt.at({2, 1}) == 5.0f);
  t.set({1, 2}, 42.0f);
  CHECK(tt.at({2, 1}) == 42.0f);
  Tensor row = t.select(0, 1);
  CHECK(row.to_vector() == std::vector<float>{3, 4, 42});
  Tensor c = tt.contiguous();
  CHECK(c.is_contiguous());
  CHECK(c.to_vector() == std::vector<float>{0, 3, 1, 4, 2, 42});
  Tensor e = tensor({1, 2}).unsqueeze(1).expand({2, 3});
  CHECK(e.to_vector() == std::vector<float>{1, 1, 1, 2, 2, 2});
  CHECK(e.strides()[1] == 0);
}

TEST_CASE("make_view refuses geometry outside the storage") {
  Tensor t = zeros({4});
  check_error([&] { (void)make_view(t, {5}, {1}, 0); }, {"outside", "4 elements"});
  check_error([&] { (void)make_view(t, {2}, {1}, 3); }, {"outside"});
}

TEST_CASE("to_dtype converts values") {
  Tensor t = tensor({1.9f, -2.0f});
  CHECK(to_dtype(t, DType::i64).to_vector<int64_t>() == std::vector<int64_t>{1, -2});
  CHECK(to_dtype(labels({3, 4}), DType::f32).to_vector() == std::vector<float>{3, 4});
}

TEST_CASE("printing is readable") {
  const std::string s = fmt::format("{}", tensor({{1, -2.5f}, {3, 4}}));
  CHECK(s.find("tensor([[ 1.0000, -2.5000],") == 0);
  CHECK(s.find("shape=[2, 2]") != std::string::npos);
  const std::string big = fmt::format("{}", zeros({100, 100}));
  CHECK(big.find("...") != std::string::npos);
  CHECK(big.size() < 2000);
  CHECK(fmt::format("{}", labels({1, 2})).find("dtype=int64") != std::string::npos);
  Tensor leaf = ones({1}).requires_grad_();
  CHECK(fmt::format("{}", leaf).find("requires_grad") != std::string::npos);
  CHECK(fmt::format("{}", leaf * 2.0f).find("grad_fn=MulBackward") != std::string::npos);
  CHECK(fmt::format("{}", Tensor()) == "tensor(undefined)");
}
