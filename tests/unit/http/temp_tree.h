// A temporary directory tree for tests, removed on destruction.
#ifndef SKIFF_TESTS_UNIT_HTTP_TEMP_TREE_H_
#define SKIFF_TESTS_UNIT_HTTP_TEMP_TREE_H_

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace skiff::http::testing {

class TempTree {
 public:
  TempTree() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "skiff-http-XXXXXX").string();
    base_ = ::mkdtemp(tmpl.data());
    std::filesystem::create_directory(root());
    std::filesystem::create_directory(outside());
  }
  ~TempTree() { std::filesystem::remove_all(base_); }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  // root(): the document root; outside(): a sibling the server must not reach.
  std::string root() const { return base_ + "/root"; }
  std::string outside() const { return base_ + "/outside"; }

  void Write(const std::string& rel, std::string_view content) const {
    std::filesystem::path p = std::filesystem::path(base_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  void Mkdir(const std::string& rel) const {
    std::filesystem::create_directories(std::filesystem::path(base_) / rel);
  }
  void Symlink(const std::string& target, const std::string& rel) const {
    std::filesystem::create_symlink(target, std::filesystem::path(base_) / rel);
  }

 private:
  std::string base_;
};

}  // namespace skiff::http::testing

#endif  // SKIFF_TESTS_UNIT_HTTP_TEMP_TREE_H_
