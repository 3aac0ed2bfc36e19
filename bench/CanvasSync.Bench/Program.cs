using CanvasSync.Bench;
using CanvasSync.Cli.Common;

// dotnet run -c Release --project bench/CanvasSync.Bench -- <benchmark> [options]
return await CliRunner.RunAsync(BenchCommand.Create(), args);
