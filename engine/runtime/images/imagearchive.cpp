#include "engine/runtime/images/imagearchive.h"

#include "engine/runtime/images/filetree.h"
#include "engine/runtime/images/rootpath.h"

#include <algorithm>
#include <sys/stat.h>

namespace cd::runtime::images {

namespace {

constexpr std::int64_t kMaxDocumentBytes = 16 << 20; // manifests and configs are kilobytes
constexpr int kMaxIndexDepth = 4;
constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
constexpr std::string_view kContainerdNameAnnotation = "io.containerd.image.name";

// The Go architecture names OCI platforms use.
constexpr std::string_view hostArchitecture()
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__i386__)
    return "386";
#elif defined(__arm__)
    return "arm";
#elif defined(__riscv)
    return "riscv64";
#else
    return "unknown";
#endif
}

bool isRegularFile(const std::string &path)
{
    struct stat info = {};
    return ::lstat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

// A file named by the archive itself, which must not lead out of the archive's folder.
Result<std::string> fileInFolder(const std::string &folder, const std::string &relative, std::string_view what)
{
    auto components = splitEntryPath(relative);
    if (!components.ok())
        return Error::badRequest(std::string(what) + ": " + components.error().message);
    auto path = resolveUnderRoot(folder, *components, true, false);
    if (!path.ok())
        return Error::badRequest(std::string(what) + " \"" + relative + "\": " + path.error().message);
    if (!isRegularFile(path->absolute))
        return Error::badRequest(std::string(what) + " \"" + relative + "\" is not a file in the archive");
    return path->absolute;
}

Result<Json> parseDocument(const std::string &bytes, const std::string &what)
{
    Json document = Json::parse(bytes, nullptr, false);
    if (document.is_discarded())
        return Error::badRequest(what + " is not valid JSON");
    return document;
}

Result<Json> readDocument(const std::string &path, const std::string &what)
{
    CD_TRY(const std::string bytes, readWholeFile(path, kMaxDocumentBytes));
    return parseDocument(bytes, what);
}

bool isSha256Digest(std::string_view digest)
{
    constexpr std::string_view prefix = "sha256:";
    if (!digest.starts_with(prefix) || digest.size() != prefix.size() + 64)
        return false;
    return std::all_of(digest.begin() + prefix.size(), digest.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

class OciLayoutReader {
public:
    OciLayoutReader(std::string folder, ImageReference wanted)
        : m_folder(std::move(folder)), m_wanted(std::move(wanted))
    {
    }

    Result<ImageLayout> read()
    {
        CD_TRY(const std::string indexPath, fileInFolder(m_folder, "index.json", "the OCI index"));
        CD_TRY(const Json index, readDocument(indexPath, "index.json"));
        return readIndex(index, "index.json", true, 0);
    }

private:
    Result<std::string> blobPath(const std::string &digest)
    {
        if (!isSha256Digest(digest))
            return Error::badRequest("blob digest \"" + digest + "\" is not sha256:<64 lowercase hex digits>");
        return fileInFolder(m_folder, "blobs/sha256/" + digest.substr(7), "blob " + digest);
    }

    // Reads a small blob and checks that its bytes have the digest that names them.
    Result<std::string> readBlob(const std::string &digest)
    {
        CD_TRY(const std::string path, blobPath(digest));
        CD_TRY(std::string bytes, readWholeFile(path, kMaxDocumentBytes));
        if (sha256OfBytes(bytes) != digest)
            return Error::badRequest("blob " + digest + " does not match its digest (corrupt archive)");
        return bytes;
    }

    bool nameMatches(const Json &descriptor) const
    {
        const std::string refName = str(descriptor, {"annotations", kRefNameAnnotation});
        if (!refName.empty() &&
            (refName == m_wanted.tag || refName == m_wanted.toString() || refName == m_wanted.familiar()))
            return true;
        const std::string imageName = str(descriptor, {"annotations", kContainerdNameAnnotation});
        auto reference = parseImageReference(imageName);
        return !imageName.empty() && reference.ok() && reference->toString() == m_wanted.toString();
    }

    static bool platformMatches(const Json &descriptor)
    {
        return str(descriptor, {"platform", "os"}) == "linux" &&
               str(descriptor, {"platform", "architecture"}) == hostArchitecture();
    }

    Result<Json> choose(const Json &manifests, const std::string &where, bool byName)
    {
        std::vector<const Json *> candidates;
        for (const Json &descriptor : manifests)
            if (descriptor.is_object() && !str(descriptor, {"digest"}).empty())
                candidates.push_back(&descriptor);
        if (candidates.empty())
            return Error::badRequest(where + " lists no images");
        if (byName) {
            std::vector<const Json *> named;
            std::copy_if(candidates.begin(), candidates.end(), std::back_inserter(named),
                         [&](const Json *descriptor) { return nameMatches(*descriptor); });
            if (!named.empty())
                candidates = named;
        }
        if (candidates.size() == 1)
            return *candidates.front();
        std::vector<const Json *> forThisMachine;
        std::copy_if(candidates.begin(), candidates.end(), std::back_inserter(forThisMachine),
                     [](const Json *descriptor) { return platformMatches(*descriptor); });
        if (forThisMachine.size() >= 1)
            return *forThisMachine.front();
        return Error::badRequest(where + " lists " + std::to_string(candidates.size()) +
                                 " images and none is tagged \"" + m_wanted.tag + "\" or built for linux/" +
                                 std::string(hostArchitecture()));
    }

    static bool isIndex(const Json &descriptor, const Json &document)
    {
        const std::string mediaType = str(descriptor, {"mediaType"}, str(document, {"mediaType"}));
        if (mediaType == "application/vnd.oci.image.index.v1+json" ||
            mediaType == "application/vnd.docker.distribution.manifest.list.v2+json")
            return true;
        return mediaType.empty() && document.contains("manifests");
    }

    Result<ImageLayout> readIndex(const Json &index, const std::string &where, bool byName, int depth)
    {
        const Json *manifests = find(index, {"manifests"});
        if (!manifests || !manifests->is_array())
            return Error::badRequest(where + " has no \"manifests\" list");
        CD_TRY(const Json descriptor, choose(*manifests, where, byName));
        const std::string digest = str(descriptor, {"digest"});
        CD_TRY(const std::string bytes, readBlob(digest));
        CD_TRY(const Json document, parseDocument(bytes, "manifest " + digest));
        if (isIndex(descriptor, document)) {
            if (depth >= kMaxIndexDepth)
                return Error::badRequest("image indexes nest too deeply");
            return readIndex(document, "image index " + digest, false, depth + 1);
        }
        return readManifest(document, digest);
    }

    Result<ImageLayout> readManifest(const Json &manifest, const std::string &digest)
    {
        ImageLayout layout;
        layout.manifestDigest = digest;
        layout.configDigest = str(manifest, {"config", "digest"});
        if (layout.configDigest.empty())
            return Error::badRequest("manifest " + digest + " names no config");
        CD_TRY(const std::string configBytes, readBlob(layout.configDigest));
        CD_TRY(layout.config, parseDocument(configBytes, "image config " + layout.configDigest));
        const Json *layers = find(manifest, {"layers"});
        if (!layers || !layers->is_array())
            return Error::badRequest("manifest " + digest + " has no \"layers\" list");
        for (const Json &layer : *layers) {
            const std::string layerDigest = str(layer, {"digest"});
            CD_TRY(const std::string path, blobPath(layerDigest));
            CD_TRY(const std::string actual, sha256OfFile(path));
            if (actual != layerDigest)
                return Error::badRequest("layer " + layerDigest + " does not match its digest (corrupt archive)");
            layout.layerFiles.push_back(path);
        }
        return layout;
    }

    std::string m_folder;
    ImageReference m_wanted;
};

} // namespace

bool isDockerArchiveFolder(const std::string &folder)
{
    return isRegularFile(joinPath(folder, "manifest.json"));
}

bool isOciLayoutFolder(const std::string &folder)
{
    return isRegularFile(joinPath(folder, "oci-layout")) && isRegularFile(joinPath(folder, "index.json"));
}

Result<ImageLayout> readDockerArchive(const std::string &folder, const ImageReference &wanted)
{
    CD_TRY(const std::string manifestPath, fileInFolder(folder, "manifest.json", "the manifest"));
    CD_TRY(const Json manifest, readDocument(manifestPath, "manifest.json"));
    if (!manifest.is_array() || manifest.empty())
        return Error::badRequest("manifest.json does not list any image");
    const Json *chosen = manifest.size() == 1 ? &manifest.front() : nullptr;
    std::string tags;
    for (const Json &entry : manifest) {
        const Json *repoTags = find(entry, {"RepoTags"});
        if (!repoTags || !repoTags->is_array())
            continue;
        for (const Json &tag : *repoTags) {
            if (!tag.is_string())
                continue;
            tags += (tags.empty() ? "" : ", ") + tag.get<std::string>();
            auto reference = parseImageReference(tag.get<std::string>());
            if (!chosen && reference.ok() && reference->toString() == wanted.toString())
                chosen = &entry;
        }
    }
    if (!chosen)
        return Error::badRequest("the archive holds " + std::to_string(manifest.size()) + " images (" +
                                 (tags.empty() ? std::string("untagged") : tags) + ") and none is tagged " +
                                 wanted.familiar() + ": import it under one of those names");
    ImageLayout layout;
    CD_TRY(const std::string configPath, fileInFolder(folder, str(*chosen, {"Config"}), "the image config"));
    CD_TRY(const std::string configBytes, readWholeFile(configPath, kMaxDocumentBytes));
    layout.configDigest = sha256OfBytes(configBytes);
    CD_TRY(layout.config, parseDocument(configBytes, "the image config"));
    const Json *layers = find(*chosen, {"Layers"});
    if (!layers || !layers->is_array())
        return Error::badRequest("manifest.json has no \"Layers\" list");
    for (const Json &layer : *layers) {
        CD_TRY(const std::string path,
               fileInFolder(folder, layer.is_string() ? layer.get<std::string>() : "", "layer"));
        layout.layerFiles.push_back(path);
    }
    return layout;
}

Result<ImageLayout> readOciLayout(const std::string &folder, const ImageReference &wanted)
{
    return OciLayoutReader(folder, wanted).read();
}

} // namespace cd::runtime::images
