#include "engine/node/podvolumes.h"

#include "engine/node/podenv.h"

#include <QByteArray>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace cd::node {
namespace {

using Files = std::map<std::string, std::pair<std::string, int>>;

bool safeRelativePath(const std::string &path)
{
    if (path.empty() || path.front() == '/')
        return false;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t slash = std::min(path.find('/', start), path.size());
        const std::string part = path.substr(start, slash - start);
        if (part == ".." || part.rfind("..", 0) == 0)
            return false;
        start = slash + 1;
    }
    return true;
}

int modeOf(const Json &item, int fallback)
{
    const Json *mode = find(item, {"mode"});
    return mode && mode->is_number_integer() ? mode->get<int>() : fallback;
}

// The files of a ConfigMap or Secret source (all keys, or the listed items).
Status collectKeyFiles(const Json &source, bool secret, const std::string &ns, const PodContext &context,
                       int defaultMode, Files &files)
{
    const std::string name = str(source, {secret ? "secretName" : "name"});
    const char *kind = secret ? "secret" : "configmap";
    client::ObjectPtr object = context.get(secret ? "secrets" : "configmaps", ns, name);
    if (!object) {
        if (boolean(source, {"optional"}))
            return {};
        return Error::notFound(std::string(kind) + " \"" + name + "\" not found");
    }
    const auto value = [&](const std::string &key) -> std::optional<std::string> {
        if (const Json *v = find(*object, {"data", key}); v && v->is_string())
            return secret ? QByteArray::fromBase64(QByteArray::fromStdString(v->get<std::string>())).toStdString()
                          : v->get<std::string>();
        if (const Json *v = find(*object, {"binaryData", key}); v && v->is_string())
            return QByteArray::fromBase64(QByteArray::fromStdString(v->get<std::string>())).toStdString();
        return std::nullopt;
    };
    if (const Json *items = find(source, {"items"}); items && items->is_array() && !items->empty()) {
        for (const Json &item : *items) {
            const std::string key = str(item, {"key"});
            auto content = value(key);
            if (!content) {
                if (boolean(source, {"optional"}))
                    continue;
                return Error::notFound(std::string(secret ? "secret" : "configmap") +
                                       " references non-existent " + (secret ? "secret" : "config") + " key: " + key);
            }
            files[str(item, {"path"})] = {*content, modeOf(item, defaultMode)};
        }
        return {};
    }
    for (const char *section : {"data", "binaryData"})
        if (const Json *data = find(*object, {section}); data && data->is_object())
            for (auto it = data->begin(); it != data->end(); ++it)
                if (auto content = value(it.key()))
                    files[it.key()] = {*content, defaultMode};
    return {};
}

Status collectDownwardFiles(const Json &source, const Json &pod, const PodContext &context, int defaultMode,
                            Files &files)
{
    if (const Json *items = find(source, {"items"}); items && items->is_array()) {
        for (const Json &item : *items) {
            std::string content;
            if (const Json *field = find(item, {"fieldRef"})) {
                CD_TRY(content, podFieldValue(pod, str(*field, {"fieldPath"}), context));
            } else if (const Json *resource = find(item, {"resourceFieldRef"})) {
                CD_TRY(content, resourceFieldValue(pod, *resource, "", context));
            }
            files[str(item, {"path"})] = {content, modeOf(item, defaultMode)};
        }
    }
    return {};
}

Status checkHostPath(const std::string &path, const std::string &type)
{
    QFileInfo info(QString::fromStdString(path));
    if (type == "DirectoryOrCreate") {
        if (!info.exists() && !QDir().mkpath(info.absoluteFilePath()))
            return Error::internal("cannot create the folder " + path);
        if (!QFileInfo(info.absoluteFilePath()).isDir())
            return Error::badRequest("hostPath type check failed: " + path + " is not a directory");
    } else if (type == "Directory") {
        if (!info.isDir())
            return Error::badRequest("hostPath type check failed: " + path + " is not a directory");
    } else if (type == "FileOrCreate") {
        if (!info.exists()) {
            QFile file(info.absoluteFilePath());
            if (!file.open(QIODevice::WriteOnly))
                return Error::internal("cannot create the file " + path);
        }
        if (!QFileInfo(info.absoluteFilePath()).isFile())
            return Error::badRequest("hostPath type check failed: " + path + " is not a file");
    } else if (type == "File") {
        if (!info.isFile())
            return Error::badRequest("hostPath type check failed: " + path + " is not a file");
    } else if (type == "Socket" || type == "CharDevice" || type == "BlockDevice") {
        struct stat st{};
        const bool ok = ::stat(path.c_str(), &st) == 0 &&
                        ((type == "Socket" && S_ISSOCK(st.st_mode)) || (type == "CharDevice" && S_ISCHR(st.st_mode)) ||
                         (type == "BlockDevice" && S_ISBLK(st.st_mode)));
        if (!ok)
            return Error::badRequest("hostPath type check failed: " + path + " is not a " + type);
    } else if (!info.exists()) {
        // No type: the path is made as a folder, as container runtimes do for a missing bind source.
        if (!QDir().mkpath(info.absoluteFilePath()))
            return Error::internal("cannot create the folder " + path);
    }
    return {};
}

Result<PreparedVolume> claimVolume(const Json &source, const std::string &ns, const PodContext &context)
{
    const std::string claimName = str(source, {"claimName"});
    client::ObjectPtr claim = context.get("persistentvolumeclaims", ns, claimName);
    if (!claim)
        return Error::notFound("persistentvolumeclaim \"" + claimName + "\" not found");
    const std::string volumeName = str(*claim, {"spec", "volumeName"});
    if (volumeName.empty() || str(*claim, {"status", "phase"}) != "Bound")
        return Error::badRequest("PersistentVolumeClaim \"" + claimName + "\" is not bound yet");
    client::ObjectPtr volume = context.get("persistentvolumes", "", volumeName);
    if (!volume)
        return Error::notFound("persistentvolume \"" + volumeName + "\" not found");
    std::string path = str(*volume, {"spec", "hostPath", "path"});
    if (path.empty())
        path = str(*volume, {"spec", "local", "path"});
    if (path.empty())
        return Error::badRequest("PersistentVolume \"" + volumeName +
                                 "\" has a volume source this node cannot mount (hostPath and local can be)");
    CD_CHECK(checkHostPath(path, str(*volume, {"spec", "hostPath", "type"})));
    return PreparedVolume{path, boolean(source, {"readOnly"})};
}

} // namespace

Status writeAtomically(const std::string &dir, const Files &files)
{
    QDir base(QString::fromStdString(dir));
    if (!base.mkpath(QStringLiteral(".")))
        return Error::internal("cannot create " + dir);
    for (const auto &[path, content] : files)
        if (!safeRelativePath(path))
            return Error::badRequest("invalid file path " + path + ": must be relative, without '..'");
    const QString stamp = QStringLiteral("..") + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy_MM_dd_HH_mm_ss.zzz")) +
                          QString::number(QDateTime::currentMSecsSinceEpoch() % 100000);
    const QString staging = base.filePath(stamp);
    for (const auto &[path, content] : files) {
        const QString file = staging + QLatin1Char('/') + QString::fromStdString(path);
        QDir().mkpath(QFileInfo(file).absolutePath());
        QFile out(file);
        if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return Error::internal("cannot write " + file.toStdString());
        out.write(content.first.data(), qint64(content.first.size()));
        out.close();
        ::chmod(file.toLocal8Bit().constData(), static_cast<mode_t>(content.second & 07777));
    }
    // ..data points at the new folder in one rename; the visible names point through ..data.
    const QString previous = QFileInfo(base.filePath(QStringLiteral("..data"))).symLinkTarget();
    const std::string tmpLink = base.filePath(QStringLiteral("..data_tmp")).toStdString();
    ::unlink(tmpLink.c_str());
    if (::symlink(stamp.toLocal8Bit().constData(), tmpLink.c_str()) != 0 ||
        ::rename(tmpLink.c_str(), base.filePath(QStringLiteral("..data")).toLocal8Bit().constData()) != 0)
        return Error::internal("cannot switch " + dir + "/..data");
    std::set<std::string> top;
    for (const auto &[path, content] : files)
        top.insert(path.substr(0, path.find('/')));
    for (const std::string &name : top) {
        const std::string link = base.filePath(QString::fromStdString(name)).toStdString();
        struct stat st{};
        if (::lstat(link.c_str(), &st) != 0)
            ::symlink(("..data/" + name).c_str(), link.c_str());
    }
    // Names no longer in the set go, with the folder the last version was in.
    for (const QString &entry : base.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)) {
        if (entry.startsWith(QLatin1String("..")))
            continue;
        if (!top.count(entry.toStdString()))
            QFile::remove(base.filePath(entry));
    }
    if (!previous.isEmpty() && QFileInfo(previous).fileName() != stamp)
        QDir(previous).removeRecursively();
    return {};
}

Result<PreparedVolumes> setUpVolumes(const Json &pod, const std::string &podDir, const PodContext &context)
{
    PreparedVolumes prepared;
    const std::string ns = str(pod, {"metadata", "namespace"});
    const Json *volumes = find(pod, {"spec", "volumes"});
    if (!volumes || !volumes->is_array())
        return prepared;
    for (const Json &volume : *volumes) {
        const std::string name = str(volume, {"name"});
        const auto failed = [&](const Error &error) {
            return Error{error.kind, "MountVolume.SetUp failed for volume \"" + name + "\" : " + error.message, {}};
        };
        const auto pluginDir = [&](const char *plugin) {
            return podDir + "/volumes/kubernetes.io~" + plugin + "/" + name;
        };
        Status status;
        if (find(volume, {"emptyDir"})) {
            const std::string dir = pluginDir("empty-dir");
            if (!QDir().mkpath(QString::fromStdString(dir)))
                return failed(Error::internal("cannot create " + dir));
            ::chmod(dir.c_str(), 0777);  // as the kubelet makes it: any user of the pod may write
            prepared[name] = {dir, false};
        } else if (const Json *source = find(volume, {"configMap"})) {
            Files files;
            status = collectKeyFiles(*source, false, ns, context, modeOf(*source, 0644), files);
            if (status.ok())
                status = writeAtomically(pluginDir("configmap"), files);
            prepared[name] = {pluginDir("configmap"), true};
        } else if (const Json *secret = find(volume, {"secret"})) {
            Files files;
            status = collectKeyFiles(*secret, true, ns, context, modeOf(*secret, 0644), files);
            if (status.ok())
                status = writeAtomically(pluginDir("secret"), files);
            prepared[name] = {pluginDir("secret"), true};
        } else if (const Json *downward = find(volume, {"downwardAPI"})) {
            Files files;
            status = collectDownwardFiles(*downward, pod, context, modeOf(*downward, 0644), files);
            if (status.ok())
                status = writeAtomically(pluginDir("downward-api"), files);
            prepared[name] = {pluginDir("downward-api"), true};
        } else if (const Json *projected = find(volume, {"projected"})) {
            Files files;
            const int mode = modeOf(*projected, 0644);
            if (const Json *sources = find(*projected, {"sources"}); sources && sources->is_array()) {
                for (const Json &s : *sources) {
                    if (!status.ok())
                        break;
                    if (const Json *cm = find(s, {"configMap"}))
                        status = collectKeyFiles(*cm, false, ns, context, mode, files);
                    else if (const Json *sec = find(s, {"secret"})) {
                        Json renamed = *sec;  // projected secrets name the Secret as `name`
                        renamed["secretName"] = str(*sec, {"name"});
                        status = collectKeyFiles(renamed, true, ns, context, mode, files);
                    } else if (const Json *dw = find(s, {"downwardAPI"}))
                        status = collectDownwardFiles(*dw, pod, context, mode, files);
                    else
                        status = Error::badRequest("this node cannot project serviceAccountToken or clusterTrustBundle sources");
                }
            }
            if (status.ok())
                status = writeAtomically(pluginDir("projected"), files);
            prepared[name] = {pluginDir("projected"), true};
        } else if (const Json *host = find(volume, {"hostPath"})) {
            const std::string path = str(*host, {"path"});
            status = checkHostPath(path, str(*host, {"type"}));
            prepared[name] = {path, false};
        } else if (const Json *claim = find(volume, {"persistentVolumeClaim"})) {
            auto mounted = claimVolume(*claim, ns, context);
            if (!mounted.ok())
                return failed(mounted.error());
            prepared[name] = *mounted;
        } else {
            std::string kind = "this";
            for (auto it = volume.begin(); it != volume.end(); ++it)
                if (it.key() != "name")
                    kind = it.key();
            return failed(Error::badRequest(kind + " volumes cannot be mounted on this node (emptyDir, configMap, "
                                                   "secret, downwardAPI, projected, hostPath and persistentVolumeClaim can)"));
        }
        if (!status.ok())
            return failed(status.error());
    }
    return prepared;
}

Result<std::vector<runtime::Mount>> containerMounts(const Json &container, const PreparedVolumes &volumes)
{
    std::vector<runtime::Mount> mounts;
    const Json *list = find(container, {"volumeMounts"});
    if (!list || !list->is_array())
        return mounts;
    for (const Json &m : *list) {
        const std::string name = str(m, {"name"});
        auto it = volumes.find(name);
        if (it == volumes.end())
            return Error::notFound("volume \"" + name + "\" is mounted but not set up");
        runtime::Mount mount;
        mount.hostPath = it->second.hostPath;
        mount.containerPath = str(m, {"mountPath"});
        mount.readOnly = it->second.readOnly || boolean(m, {"readOnly"});
        if (const std::string sub = str(m, {"subPath"}); !sub.empty()) {
            if (!safeRelativePath(sub))
                return Error::badRequest("subPath " + sub + " must be a relative path without '..'");
            mount.hostPath += "/" + sub;
            QFileInfo info(QString::fromStdString(mount.hostPath));
            if (!info.exists() && !QDir().mkpath(info.absoluteFilePath()))
                return Error::internal("cannot create the subPath folder " + mount.hostPath);
        }
        mounts.push_back(std::move(mount));
    }
    return mounts;
}

void tearDownVolumes(const std::string &podDir)
{
    QDir(QString::fromStdString(podDir + "/volumes")).removeRecursively();
}

} // namespace cd::node
