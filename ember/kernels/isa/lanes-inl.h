// Vectors of any width for kernel bodies (included inside a body, so once per instruction-set
// variant: kIsaVectorFloats is the variant's). No include guard, no includes: everything it uses
// (<cstring>, <type_traits>) is included before the variants.
//
// Vectors of L floats, and a loop over [0, count) in runs of the widest vectors that fit. Loads
// and stores go through a float-vector type of float alignment (not memcpy), so the compiler knows
// they cannot change the loop's sizes and pointers and keeps those in registers.
template <int L>
struct Lanes {
  typedef float type __attribute__((vector_size(L * sizeof(float))));
  typedef float unaligned __attribute__((vector_size(L * sizeof(float)), aligned(alignof(float))));
};

template <int L>
inline typename Lanes<L>::type load_lanes(const float* p) {
  return *reinterpret_cast<const typename Lanes<L>::unaligned*>(p);
}

template <int L>
inline void store_lanes(float* p, typename Lanes<L>::type v) {
  *reinterpret_cast<typename Lanes<L>::unaligned*>(p) = v;
}

// f(std::integral_constant<int, L>, first): lanes [first, first + L), every index once.
template <typename F>
inline void over_lanes(int64_t count, F&& f) {
  int64_t i = 0;
  for (; i + kIsaVectorFloats <= count; i += kIsaVectorFloats) f(std::integral_constant<int, kIsaVectorFloats>{}, i);
  if constexpr (kIsaVectorFloats > 8) {
    for (; i + 8 <= count; i += 8) f(std::integral_constant<int, 8>{}, i);
  }
  if constexpr (kIsaVectorFloats > 4) {
    for (; i + 4 <= count; i += 4) f(std::integral_constant<int, 4>{}, i);
  }
  for (; i < count; ++i) f(std::integral_constant<int, 1>{}, i);
}

// The sum of a vector's lanes, lane 0 first.
template <int L>
inline float lane_sum(typename Lanes<L>::type v) {
  float total = 0.0f;
  for (int i = 0; i < L; ++i) total += v[i];
  return total;
}
