#pragma once
// Test fixtures for the image store: tarballs, `docker save` archives and OCI image layouts,
// built here with libarchive so every byte (whiteouts, hostile paths) is under the test's control.

#include <QByteArray>
#include <QCryptographicHash>
#include <QFile>
#include <QString>

#include <archive.h>
#include <archive_entry.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace imagefixtures {

using Json = nlohmann::json;

class TarBuilder {
public:
    TarBuilder &folder(std::string path, int mode = 0755)
    {
        return add({std::move(path), AE_IFDIR, {}, mode, {}, false});
    }
    TarBuilder &file(std::string path, std::string data, int mode = 0644)
    {
        return add({std::move(path), AE_IFREG, std::move(data), mode, {}, false});
    }
    TarBuilder &symlink(std::string path, std::string target)
    {
        return add({std::move(path), AE_IFLNK, {}, 0777, std::move(target), false});
    }
    TarBuilder &hardlink(std::string path, std::string target)
    {
        return add({std::move(path), AE_IFREG, {}, 0644, std::move(target), true});
    }
    // Layer whiteouts, as the OCI image spec writes them.
    TarBuilder &whiteout(const std::string &folder, const std::string &name)
    {
        return file((folder.empty() ? "" : folder + "/") + ".wh." + name, {});
    }
    TarBuilder &opaque(const std::string &folder) { return file(folder + "/.wh..wh..opq", {}); }

    QByteArray bytes(bool gzip) const
    {
        QByteArray out;
        archive *writer = archive_write_new();
        archive_write_set_format_pax_restricted(writer);
        if (gzip)
            archive_write_add_filter_gzip(writer);
        archive_write_set_bytes_in_last_block(writer, 1);
        archive_write_open(writer, &out, nullptr, &TarBuilder::append, nullptr);
        for (const Entry &entry : m_entries) {
            archive_entry *header = archive_entry_new();
            archive_entry_set_pathname(header, entry.path.c_str());
            archive_entry_set_filetype(header, entry.type);
            archive_entry_set_perm(header, entry.mode);
            archive_entry_set_mtime(header, 1700000000, 0);
            if (entry.type == AE_IFLNK)
                archive_entry_set_symlink(header, entry.target.c_str());
            if (entry.hardlink)
                archive_entry_set_hardlink(header, entry.target.c_str());
            archive_entry_set_size(header,
                                   entry.type == AE_IFREG && !entry.hardlink ? la_int64_t(entry.data.size()) : 0);
            if (archive_write_header(writer, header) != ARCHIVE_OK)
                throw std::runtime_error(archive_error_string(writer));
            if (!entry.data.empty())
                archive_write_data(writer, entry.data.data(), entry.data.size());
            archive_entry_free(header);
        }
        archive_write_close(writer);
        archive_write_free(writer);
        return out;
    }

private:
    struct Entry {
        std::string path;
        unsigned type;
        std::string data;
        int mode;
        std::string target;
        bool hardlink;
    };

    TarBuilder &add(Entry entry)
    {
        m_entries.push_back(std::move(entry));
        return *this;
    }

    static la_ssize_t append(archive *, void *out, const void *buffer, size_t length)
    {
        static_cast<QByteArray *>(out)->append(static_cast<const char *>(buffer), qsizetype(length));
        return la_ssize_t(length);
    }

    std::vector<Entry> m_entries;
};

inline std::string toStd(const QByteArray &bytes)
{
    return bytes.toStdString();
}

inline std::string sha256Hex(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex().toStdString();
}

inline bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

// Two layers that exercise what stacking must get right: an overwritten file, a whiteout, an
// opaque folder, a hard link, and read-only and closed (0000) files and folders, which an
// unprivileged importer must still fill, measure and delete.
inline QByteArray lowerLayer(bool gzip)
{
    return TarBuilder()
        .folder("bin")
        .file("bin/tool", "tool v1\n", 0755)
        .symlink("bin/link", "tool")
        .folder("etc")
        .file("etc/old", "stays\n")
        .file("etc/gone", "deleted by the upper layer\n")
        .folder("data")
        .file("data/lower1", "hidden by the opaque folder\n")
        .folder("data/sub")
        .file("data/sub/lower2", "hidden too\n")
        .folder("keep")
        .file("keep/a", "untouched\n")
        .bytes(gzip);
}

inline QByteArray upperLayer(bool gzip)
{
    return TarBuilder()
        .whiteout("etc", "gone")
        .folder("data")
        .opaque("data")
        .file("data/upper", "from the upper layer\n")
        .file("bin/tool", "tool v2\n", 0755)
        .file("newfile", "new\n", 0600)
        .hardlink("newlink", "newfile")
        .folder("ro", 0555)
        .file("ro/inside", "in a read-only folder\n", 0444)
        .file("shadow", "closed to everyone\n", 0)
        .folder("sealed", 0)
        .file("sealed/inner", "in a closed folder\n")
        .bytes(gzip);
}

inline Json imageConfig(const std::vector<std::string> &layerDiffIds, const std::string &architecture = "amd64")
{
    return Json{{"architecture", architecture},
                {"os", "linux"},
                {"created", "2024-05-01T10:00:00.123456789Z"},
                {"config",
                 {{"Entrypoint", {"/bin/tool"}},
                  {"Cmd", {"--serve"}},
                  {"Env", {"PATH=/bin", "MODE=test"}},
                  {"WorkingDir", "/data"},
                  {"User", "1000:1000"},
                  {"ExposedPorts", {{"8080/tcp", Json::object()}}}}},
                {"rootfs", {{"type", "layers"}, {"diff_ids", layerDiffIds}}}};
}

// A `docker save` archive: manifest.json, the config, one folder per layer (gzip and plain).
struct DockerArchive {
    QByteArray tar;
    std::string configDigest;
};

inline DockerArchive dockerArchive(const std::vector<QByteArray> &layers, const std::string &repoTag)
{
    std::vector<std::string> diffIds;
    Json layerPaths = Json::array();
    for (size_t i = 0; i < layers.size(); ++i) {
        diffIds.push_back("sha256:" + sha256Hex(layers[i]));
        layerPaths.push_back("layer" + std::to_string(i) + "/layer.tar");
    }
    const QByteArray config = QByteArray::fromStdString(imageConfig(diffIds).dump());
    const std::string configHex = sha256Hex(config);
    const Json manifest =
        Json::array({{{"Config", configHex + ".json"}, {"RepoTags", {repoTag}}, {"Layers", layerPaths}}});
    TarBuilder tar;
    tar.file("manifest.json", manifest.dump()).file(configHex + ".json", toStd(config));
    for (size_t i = 0; i < layers.size(); ++i)
        tar.folder("layer" + std::to_string(i)).file("layer" + std::to_string(i) + "/layer.tar", toStd(layers[i]));
    return {tar.bytes(false), "sha256:" + configHex};
}

// An OCI image layout: oci-layout, index.json and content-addressed blobs.
class OciLayout {
public:
    // Adds a blob and returns its descriptor.
    Json blob(const QByteArray &bytes, const std::string &mediaType)
    {
        const std::string hex = sha256Hex(bytes);
        m_blobs.emplace_back(hex, bytes);
        return Json{{"mediaType", mediaType}, {"digest", "sha256:" + hex}, {"size", bytes.size()}};
    }

    // An image manifest over the layers; returns its descriptor (config digest in "configDigest").
    Json image(const std::vector<QByteArray> &layers, const std::string &architecture = "amd64")
    {
        Json layerDescriptors = Json::array();
        std::vector<std::string> diffIds;
        for (const QByteArray &layer : layers) {
            const bool gzip = layer.startsWith("\x1f\x8b");
            layerDescriptors.push_back(blob(layer, gzip ? "application/vnd.oci.image.layer.v1.tar+gzip"
                                                        : "application/vnd.oci.image.layer.v1.tar"));
            diffIds.push_back("sha256:" + sha256Hex(layer));
        }
        const Json config = blob(QByteArray::fromStdString(imageConfig(diffIds, architecture).dump()),
                                 "application/vnd.oci.image.config.v1+json");
        const Json manifest = {{"schemaVersion", 2},
                               {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                               {"config", config},
                               {"layers", layerDescriptors}};
        Json descriptor =
            blob(QByteArray::fromStdString(manifest.dump()), "application/vnd.oci.image.manifest.v1+json");
        descriptor["configDigest"] = config["digest"];
        return descriptor;
    }

    QByteArray tar(const Json &indexManifests, bool gzip) const
    {
        TarBuilder tar;
        tar.file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})")
            .file("index.json", Json{{"schemaVersion", 2}, {"manifests", indexManifests}}.dump())
            .folder("blobs")
            .folder("blobs/sha256");
        for (const auto &[hex, bytes] : m_blobs)
            tar.file("blobs/sha256/" + hex, toStd(bytes));
        return tar.bytes(gzip);
    }

private:
    std::vector<std::pair<std::string, QByteArray>> m_blobs;
};

inline std::string hostArchitecture()
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#else
    return "unknown";
#endif
}

} // namespace imagefixtures
