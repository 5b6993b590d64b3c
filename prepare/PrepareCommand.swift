import RunConfiguration
import ArgumentParser
import Foundation
import Tensors
import Training

@main
struct PrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Decode a real data set once into a packed file that train --data and pretrain --data memory-map.",
        discussion: """
        Reads the config's data section (data.source coco | vg | folder, data.annotations, data.images,
        data.size, data.min_objects … data.max_objects, data.held_out), decodes every image on all
        cores, resizes it to data.size × data.size (sg2im: the whole image squeezed to a square) and
        writes --out/dataset.pack and --out/skipped.tsv; the folder appears only when complete.
        Images and annotations that cannot be used are skipped and listed with the reason.
        """)

    @Option(help: "Config file (its data section names the data set).") var config: String
    @Option(help: "Folder to create (must not exist or be empty), e.g. data/coco64.") var out: String
    @Argument(help: "Config overrides, section.key=value (e.g. data.annotations=coco/instances.json).") var overrides: [String] = []

    func run() throws {
        do {
            let report = try PrepareLaunch(config: URL(fileURLWithPath: config), out: URL(fileURLWithPath: out), overrides: overrides).run()
            for line in report.summary(folder: out) { FileHandle.standardError.write(Data("prepare: \(line)\n".utf8)) }
        } catch {
            FileHandle.standardError.write(Data("prepare: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
