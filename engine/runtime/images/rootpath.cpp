#include "engine/runtime/images/rootpath.h"

#include <cerrno>
#include <cstring>
#include <deque>
#include <sys/stat.h>
#include <unistd.h>

namespace cd::runtime::images {

namespace {

// Linux's limit (MAXSYMLINKS) keeps a symlink loop from spinning forever.
constexpr int kMaxSymlinks = 40;

std::vector<std::string_view> splitOnSlash(std::string_view path)
{
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t end = std::min(path.find('/', start), path.size());
        if (end > start)
            parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::string joinComponents(const std::vector<std::string> &components)
{
    std::string joined;
    for (const std::string &component : components) {
        if (!joined.empty())
            joined += '/';
        joined += component;
    }
    return joined;
}

} // namespace

std::string joinPath(const std::string &parent, std::string_view child)
{
    if (child.empty())
        return parent;
    if (parent.empty())
        return std::string(child);
    std::string path = parent;
    if (path.empty() || path.back() != '/')
        path += '/';
    path += child;
    return path;
}

Result<std::vector<std::string>> splitEntryPath(std::string_view path)
{
    if (path.starts_with('/'))
        return Error::badRequest("absolute path \"" + std::string(path) + "\" refused: entries must be relative");
    std::vector<std::string> components;
    for (std::string_view part : splitOnSlash(path)) {
        if (part == ".")
            continue;
        if (part == "..")
            return Error::badRequest("path \"" + std::string(path) + "\" refused: it climbs out with \"..\"");
        components.emplace_back(part);
    }
    return components;
}

Result<RootPath> resolveUnderRoot(const std::string &root, const std::vector<std::string> &components, bool followLast,
                                  bool createMissing)
{
    std::vector<std::string> resolved;
    // Each pending component remembers whether it is the last of the caller's path (symlink
    // targets spliced in before it inherit "not last").
    std::deque<std::pair<std::string, bool>> pending;
    for (size_t i = 0; i < components.size(); ++i)
        pending.emplace_back(components[i], i + 1 == components.size());
    int symlinksFollowed = 0;
    while (!pending.empty()) {
        auto [component, isLast] = pending.front();
        pending.pop_front();
        if (component.empty() || component == ".")
            continue;
        if (component == "..") {
            if (resolved.empty())
                return Error::badRequest("\"" + joinComponents(components) +
                                         "\" leads outside the image root through a symlink");
            resolved.pop_back();
            continue;
        }
        const std::string candidate = joinPath(joinPath(root, joinComponents(resolved)), component);
        struct stat info = {};
        if (::lstat(candidate.c_str(), &info) != 0) {
            if (errno != ENOENT)
                return Error::internal("cannot inspect " + candidate + ": " + std::strerror(errno));
            if (!createMissing)
                return Error::notFound("\"" + joinComponents(components) + "\" does not exist in the image");
            if (::mkdir(candidate.c_str(), 0755) != 0 && errno != EEXIST)
                return Error::internal("cannot create folder " + candidate + ": " + std::strerror(errno));
            resolved.push_back(component);
            continue;
        }
        if (S_ISLNK(info.st_mode) && (!isLast || followLast)) {
            if (++symlinksFollowed > kMaxSymlinks)
                return Error::badRequest("\"" + joinComponents(components) + "\": too many levels of symlinks");
            std::string target(size_t(info.st_size) + 1, '\0');
            const ssize_t length = ::readlink(candidate.c_str(), target.data(), target.size());
            if (length < 0)
                return Error::internal("cannot read symlink " + candidate + ": " + std::strerror(errno));
            target.resize(size_t(length));
            const std::string linkPath = joinPath(joinComponents(resolved), component);
            if (target.starts_with('/'))
                resolved.clear(); // as the image sees it: absolute targets start at its root
            const auto parts = splitOnSlash(target);
            for (auto part = parts.rbegin(); part != parts.rend(); ++part)
                pending.emplace_front(std::string(*part), false);
            // A target ending the caller's path takes over "last" (so a dangling final symlink
            // is reported missing rather than created as a folder).
            if (!parts.empty() && isLast)
                pending[parts.size() - 1].second = true;
            // Count how far the target climbs: refusing here names the culprit symlink.
            long depth = long(resolved.size());
            for (std::string_view part : parts) {
                if (part == "..")
                    --depth;
                else if (part != ".")
                    ++depth;
                if (depth < 0)
                    return Error::badRequest("symlink \"" + linkPath + "\" -> \"" + target +
                                             "\" points outside the image root");
            }
            continue;
        }
        if (!isLast && !S_ISDIR(info.st_mode))
            return Error::badRequest("\"" + joinPath(joinComponents(resolved), component) +
                                     "\" is not a folder, yet \"" + joinComponents(components) + "\" goes through it");
        resolved.push_back(component);
    }
    return RootPath{joinPath(root, joinComponents(resolved)), joinComponents(resolved)};
}

} // namespace cd::runtime::images
