// The sliding-window output-size formula shared by convolutions and pooling (PyTorch's rule).
#include "support/helpers.h"

using namespace ember;

TEST_CASE("window_output_size follows PyTorch, floor and ceil mode") {
  // in, kernel, stride, pad_before, pad_after, dilation, ceil -> out
  CHECK(window_output_size(28, 5, 1, 2, 2, 1) == 28);
  CHECK(window_output_size(227, 11, 4, 0, 0, 1) == 55);
  CHECK(window_output_size(32, 3, 1, 2, 2, 2) == 32);
  CHECK(window_output_size(32, 3, 2, 0, 0, 1) == 15);
  CHECK(window_output_size(32, 3, 2, 0, 0, 1, true) == 16);
  // The last ceil-mode window would start in the right padding only: dropped.
  CHECK(window_output_size(5, 2, 2, 1, 1, 1, true) == 3);
  CHECK(window_output_size(5, 2, 2, 1, 1, 1, false) == 3);
  // A window longer than the input by less than a stride still fits once in ceil mode.
  CHECK(window_output_size(2, 3, 2, 0, 0, 1, true) == 1);
  CHECK(window_output_size(2, 3, 2, 0, 0, 1, false) == 0);
  CHECK(window_output_size(2, 5, 2, 0, 0, 1, true) == 0);
  CHECK(window_output_size(4, 3, 1, 0, 0, 2) == 0);
}

TEST_CASE("window options print compactly for error messages") {
  CHECK(to_string(Int2(3)) == "3");
  CHECK(to_string(Int2(3, 5)) == "(3, 5)");
  CHECK(to_string(Padding2d(1)) == "1");
  CHECK(to_string(Padding2d(1, 0, 2, 2)) == "(1, 0, 2, 2)");
}
