// SHA-256 of a file, as lowercase hex (OpenSSL's EVP interface).
#pragma once

#include <string>

namespace eaf {

std::string sha256_file(const std::string& path);

}  // namespace eaf
