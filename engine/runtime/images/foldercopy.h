#pragma once
// Copies a root filesystem folder into an image: files, folders, symlinks (as they are, never
// followed), hard links (kept linked), fifos and permissions; device nodes and sockets are skipped.

#include "engine/core/result.h"

#include <string>

namespace cd::runtime::images {

class RootfsWriter;

Status copyFolder(const std::string &source, RootfsWriter &writer);

} // namespace cd::runtime::images
