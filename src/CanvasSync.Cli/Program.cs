using System.CommandLine;
using CanvasSync.Cli.Analyze;
using CanvasSync.Cli.Common;
using CanvasSync.Cli.Demo;
using CanvasSync.Cli.Export;
using CanvasSync.Cli.Instances;
using CanvasSync.Cli.Keys;
using CanvasSync.Cli.SandboxCanvas;
using CanvasSync.Cli.Serve;
using CanvasSync.Cli.Sync;
using CanvasSync.Cli.Users;

var root = new RootCommand("canvas-sync: a fast, faithful local copy of Canvas LMS data, served back over a REST API.")
{
    ServeCommand.Create(),
    DemoCommand.Create(),
    SandboxCommand.Create(),
    SyncCommand.Create(),
    ExportCommand.Create(),
    AnalyzeCommand.Create(),
    UsersCommand.Create(),
    KeysCommand.Create(),
    InstancesCommand.Create(),
};
return await CliRunner.RunAsync(root, args);
