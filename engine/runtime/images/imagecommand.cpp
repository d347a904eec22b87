#include "engine/runtime/images/imagecommand.h"

#include "engine/runtime/images/imagereference.h"
#include "engine/runtime/images/imagestore.h"

#include <QDir>

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

namespace cd::runtime::images {

namespace {

constexpr int kUsageExit = 2;
constexpr int kFailureExit = 1;

const char *const kUsage =
    "usage: clusterdeckd --data-dir DIR image import NAME[:TAG] FOLDER|TARBALL\n"
    "       clusterdeckd --data-dir DIR image ls\n"
    "       clusterdeckd --data-dir DIR image rm NAME[:TAG]|ID ...\n"
    "Imports a root filesystem folder, a rootfs tarball (.tar, .tar.gz), a `docker save` archive or an\n"
    "OCI image layout archive into the local image store that pods run from.\n";

CommandOutput usage(std::string problem)
{
    return {kUsageExit, {}, problem.empty() ? kUsage : "clusterdeckd image: " + problem + "\n" + kUsage};
}

CommandOutput failure(const std::string &command, const std::string &message)
{
    return {kFailureExit, {}, "clusterdeckd image " + command + ": " + message + "\n"};
}

std::string shortId(const Image &image)
{
    if (image.host)
        return image.id;
    return image.id.substr(image.id.find(':') + 1, 12);
}

std::string table(const std::vector<std::array<std::string, 5>> &rows)
{
    std::array<size_t, 5> widths{};
    for (const auto &row : rows)
        for (size_t column = 0; column < row.size(); ++column)
            widths[column] = std::max(widths[column], row[column].size());
    std::string text;
    for (const auto &row : rows) {
        std::string line;
        for (size_t column = 0; column < row.size(); ++column) {
            line += row[column];
            if (column + 1 < row.size())
                line += std::string(widths[column] - row[column].size() + 2, ' ');
        }
        text += line + '\n';
    }
    return text;
}

CommandOutput listImages(ImageStore &store, TimePoint now)
{
    auto images = store.list();
    if (!images.ok())
        return failure("ls", images.error().message);
    std::vector<std::array<std::string, 5>> rows{{"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"}};
    for (const Image &image : *images) {
        if (image.host) {
            rows.push_back({std::string(kHostImageName), "latest", shortId(image), "built-in", "-"});
            continue;
        }
        for (const std::string &name : image.names) {
            auto reference = parseImageReference(name);
            if (!reference.ok())
                continue;
            rows.push_back({reference->repository(), reference->tag, shortId(image), humanAge(image.created, now),
                            humanSize(image.size)});
        }
    }
    return {0, table(rows), {}};
}

CommandOutput importImage(ImageStore &store, const std::string &name, const QString &path)
{
    auto image = store.import(name, path);
    if (!image.ok())
        return failure("import", image.error().message);
    auto reference = parseImageReference(name);
    const std::string normalized = reference.ok() ? reference->toString() : name;
    return {0, image->id + "\n",
            "Imported " + normalized + " from " + path.toStdString() + " (" + image->source + ", " +
                humanSize(image->size) + ")\n"};
}

CommandOutput removeImages(ImageStore &store, const QStringList &names)
{
    CommandOutput output;
    for (const QString &name : names) {
        auto removed = store.remove(name.toStdString());
        if (!removed.ok()) {
            output.exitCode = kFailureExit;
            output.err += "clusterdeckd image rm: " + removed.error().message + "\n";
            continue;
        }
        for (const std::string &untagged : removed->untagged)
            output.out += "Untagged: " + untagged + "\n";
        if (!removed->deletedId.empty())
            output.out += "Deleted: " + removed->deletedId + "\n";
        if (removed->inUse)
            output.err +=
                "clusterdeckd image rm: a running container still uses the image; its files go when it stops\n";
    }
    return output;
}

} // namespace

std::string humanSize(std::int64_t bytes)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    double size = double(bytes);
    size_t unit = 0;
    // Three significant digits: a value that would print as 1000 moves to the next unit.
    while (unit + 1 < std::size(units) && size >= 999.5) {
        size /= 1000;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.3g %s", size, units[unit]);
    return text;
}

std::string humanAge(TimePoint created, TimePoint now)
{
    using namespace std::chrono;
    const long long seconds = std::max<long long>(0, duration_cast<std::chrono::seconds>(now - created).count());
    const long long minutes = seconds / 60;
    const long long hours = minutes / 60;
    std::string age;
    if (seconds < 1)
        age = "Less than a second";
    else if (seconds == 1)
        age = "1 second";
    else if (seconds < 60)
        age = std::to_string(seconds) + " seconds";
    else if (minutes == 1)
        age = "About a minute";
    else if (minutes < 60)
        age = std::to_string(minutes) + " minutes";
    else if (hours == 1)
        age = "About an hour";
    else if (hours < 48)
        age = std::to_string(hours) + " hours";
    else if (hours < 24 * 7 * 2)
        age = std::to_string(hours / 24) + " days";
    else if (hours < 24 * 30 * 2)
        age = std::to_string(hours / 24 / 7) + " weeks";
    else if (hours < 24 * 365 * 2)
        age = std::to_string(hours / 24 / 30) + " months";
    else
        age = std::to_string(hours / 24 / 365) + " years";
    return age + " ago";
}

CommandOutput runImageCommand(const QString &dataDir, const QStringList &arguments, TimePoint now)
{
    if (arguments.isEmpty() || arguments.first() == QLatin1String("help"))
        return usage({});
    const QString command = arguments.first();
    const QStringList rest = arguments.mid(1);
    ImageStore store(QDir(dataDir).filePath(QStringLiteral("images")));
    if (command == QLatin1String("ls") || command == QLatin1String("list")) {
        if (!rest.isEmpty())
            return usage("image ls takes no arguments");
        return listImages(store, now);
    }
    if (command == QLatin1String("import")) {
        if (rest.size() != 2)
            return usage("image import needs a name and a folder or tarball");
        return importImage(store, rest[0].toStdString(), rest[1]);
    }
    if (command == QLatin1String("rm") || command == QLatin1String("rmi")) {
        if (rest.isEmpty())
            return usage("image rm needs at least one name");
        return removeImages(store, rest);
    }
    return usage("unknown command \"" + command.toStdString() + "\"");
}

int imageCommandMain(const QString &dataDir, const QStringList &arguments)
{
    const CommandOutput output = runImageCommand(dataDir, arguments, Clock::current().now());
    std::fputs(output.out.c_str(), stdout);
    std::fflush(stdout);
    std::fputs(output.err.c_str(), stderr);
    return output.exitCode;
}

} // namespace cd::runtime::images
