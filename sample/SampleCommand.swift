import ArgumentParser

@main
struct SampleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw scene graphs with a trained model (the shipped one by default), or serve them over HTTP.",
        discussion: """
        sample --graph g.json --out a.png     draw (the default; `sample draw --help`)
        sample serve [--port 8080]            a page and an HTTP API (docs/server.md)
        """,
        subcommands: [DrawCommand.self, ServeCommand.self],
        defaultSubcommand: DrawCommand.self)
}
