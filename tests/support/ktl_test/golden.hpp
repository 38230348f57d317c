// Reader for the golden fixtures in tests/golden/ (written by tools/golden/generate.mjs from
// TensorFlow.js). Format, line based ('#' starts a comment line):
//
//   ktl-golden 1
//   case <name>
//   layer <Keras class name or op family>
//   option <key> <token>...          e.g. "option kernel_size 3 3", "option output_padding null"
//   tensor <name> <d0> <d1> ...      then prod(d) numbers (any line breaks; nan, inf, -inf allowed)
//   end
#pragma once

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <ktl/core/tensor.hpp>

#ifndef KTL_GOLDEN_DIR
#error "KTL_GOLDEN_DIR must name tests/golden (set by tests/CMakeLists.txt)"
#endif

namespace ktl::test {

/// One stored tensor: row-major values as doubles (float32 values convert exactly).
struct GoldenTensor {
  std::vector<Index> shape;
  std::vector<double> values;

  /// Copies into a ktl tensor of rank R; throws if the stored rank differs.
  template <typename Scalar, int R>
  Tensor<Scalar, R> as() const {
    if (static_cast<int>(shape.size()) != R)
      throw std::runtime_error("golden tensor has rank " + std::to_string(shape.size()) +
                               ", asked for rank " + std::to_string(R));
    Dims<R> d{};
    for (int i = 0; i < R; ++i) d[static_cast<std::size_t>(i)] = shape[static_cast<std::size_t>(i)];
    Tensor<Scalar, R> t(d);
    for (std::size_t i = 0; i < values.size(); ++i)
      t.data()[i] = static_cast<Scalar>(values[i]);
    return t;
  }
};

/// One fixture case: a layer configuration, its tensors and its expected outputs.
struct GoldenCase {
  std::string file;
  std::string name;
  std::string layer;
  std::map<std::string, std::vector<std::string>> options;
  std::map<std::string, GoldenTensor> tensors;

  bool has(const std::string& key) const { return options.count(key) != 0; }
  /// True when the option is present and is the token "null" (Keras' None).
  bool is_null(const std::string& key) const {
    return has(key) && tokens(key).size() == 1 && tokens(key)[0] == "null";
  }
  const std::vector<std::string>& tokens(const std::string& key) const {
    auto it = options.find(key);
    if (it == options.end()) throw std::runtime_error(where() + ": no option '" + key + "'");
    return it->second;
  }
  std::string text(const std::string& key) const { return tokens(key).at(0); }
  Index integer(const std::string& key) const { return std::stoll(text(key)); }
  double real(const std::string& key) const { return std::stod(text(key)); }
  bool boolean(const std::string& key) const { return text(key) == "true"; }
  std::vector<Index> integers(const std::string& key) const {
    std::vector<Index> v;
    for (const auto& t : tokens(key)) v.push_back(std::stoll(t));
    return v;
  }
  bool has_tensor(const std::string& key) const { return tensors.count(key) != 0; }
  const GoldenTensor& tensor(const std::string& key) const {
    auto it = tensors.find(key);
    if (it == tensors.end()) throw std::runtime_error(where() + ": no tensor '" + key + "'");
    return it->second;
  }
  std::string where() const { return file + ":" + name; }
};

namespace detail {

inline double parse_number(const std::string& tok) {
  if (tok == "nan") return std::nan("");
  if (tok == "inf") return HUGE_VAL;
  if (tok == "-inf") return -HUGE_VAL;
  char* end = nullptr;
  const double v = std::strtod(tok.c_str(), &end);
  if (end == tok.c_str() || *end != '\0') throw std::runtime_error("bad number '" + tok + "'");
  return v;
}

inline std::vector<GoldenCase> parse_golden(std::istream& in, const std::string& file) {
  std::vector<GoldenCase> cases;
  std::string line;
  int line_no = 0;
  auto fail = [&](const std::string& why) {
    throw std::runtime_error(file + ":" + std::to_string(line_no) + ": " + why);
  };
  bool header = false;
  GoldenCase* current = nullptr;
  GoldenTensor* filling = nullptr;
  std::size_t expected = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    if (filling) {
      std::string tok;
      while (ls >> tok) filling->values.push_back(parse_number(tok));
      if (filling->values.size() > expected) fail("too many values");
      if (filling->values.size() == expected) filling = nullptr;
      continue;
    }
    std::string key;
    ls >> key;
    if (key.empty()) continue;
    if (!header) {
      int version = 0;
      ls >> version;
      if (key != "ktl-golden" || version != 1) fail("not a ktl-golden 1 file");
      header = true;
    } else if (key == "case") {
      cases.emplace_back();
      current = &cases.back();
      current->file = file;
      ls >> current->name;
    } else if (!current) {
      fail("'" + key + "' outside a case");
    } else if (key == "layer") {
      ls >> current->layer;
    } else if (key == "option") {
      std::string name, tok;
      ls >> name;
      auto& v = current->options[name];
      while (ls >> tok) v.push_back(tok);
    } else if (key == "tensor") {
      std::string name;
      ls >> name;
      GoldenTensor& t = current->tensors[name];
      Index d = 0;
      expected = 1;
      while (ls >> d) {
        t.shape.push_back(d);
        expected *= static_cast<std::size_t>(d);
      }
      t.values.reserve(expected);
      if (expected > 0) filling = &t;
    } else if (key == "end") {
      current = nullptr;
    } else {
      fail("unknown keyword '" + key + "'");
    }
  }
  if (filling) fail("file ends inside a tensor");
  if (!header) throw std::runtime_error(file + ": empty or missing fixture file");
  return cases;
}

}  // namespace detail

/// All cases of tests/golden/<file_name>, parsed once per process and cached.
inline const std::vector<GoldenCase>& golden_cases(const std::string& file_name) {
  static std::mutex m;
  static std::map<std::string, std::unique_ptr<std::vector<GoldenCase>>> cache;
  std::lock_guard<std::mutex> lock(m);
  auto& slot = cache[file_name];
  if (!slot) {
    const std::string path = std::string(KTL_GOLDEN_DIR) + "/" + file_name;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open golden fixture " + path);
    slot = std::make_unique<std::vector<GoldenCase>>(detail::parse_golden(in, file_name));
  }
  return *slot;
}

/// Names of the cases in a file (for INSTANTIATE_TEST_SUITE_P).
inline std::vector<std::string> golden_case_names(const std::string& file_name) {
  std::vector<std::string> names;
  for (const auto& c : golden_cases(file_name)) names.push_back(c.name);
  return names;
}

/// The case of that name; throws if absent.
inline const GoldenCase& golden_case(const std::string& file_name, const std::string& name) {
  for (const auto& c : golden_cases(file_name))
    if (c.name == name) return c;
  throw std::runtime_error("no case '" + name + "' in " + file_name);
}

}  // namespace ktl::test
