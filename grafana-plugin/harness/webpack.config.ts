// Builds the harness pages (live page, benchmark page, datasource-shapes page) into harness/dist: the plugin's panels and
// query runner bundled with React and @grafana/data/ui (in Grafana those come from Grafana itself).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Compiler, Configuration } from 'webpack';

const here = path.dirname(fileURLToPath(import.meta.url));

export default (): Configuration => ({
  mode: 'production',
  context: here,
  entry: { live: './src/live-page.tsx', bench: './src/bench-page.tsx', shapes: './src/shapes-page.tsx' },
  output: { path: path.join(here, 'dist'), filename: '[name].js', clean: true },
  devtool: false,
  cache: { type: 'filesystem', buildDependencies: { config: [fileURLToPath(import.meta.url)] } },
  resolve: { extensions: ['.js', '.jsx', '.ts', '.tsx'] },
  module: {
    rules: [
      {
        test: /\.[tj]sx?$/,
        exclude: /node_modules/,
        use: {
          loader: 'swc-loader',
          options: {
            jsc: {
              target: 'es2020',
              parser: { syntax: 'typescript', tsx: true },
              transform: { react: { runtime: 'classic' } },
            },
          },
        },
      },
      { test: /\.css$/, type: 'asset/resource' },
      { test: /\.(png|jpe?g|gif|svg|woff2?|eot|ttf|otf)$/, type: 'asset/resource' },
    ],
  },
  performance: { hints: false },
  optimization: { minimize: false },
  plugins: [
    new CopyWebpackPlugin({ patterns: [{ from: 'index.html' }, { from: 'bench.html' }, { from: 'shapes.html' }] }),
    // When the last build finished (scripts/setup.mjs rebuilds when a source is newer).
    {
      apply: (compiler: Compiler) =>
        compiler.hooks.afterEmit.tap('BuildStamp', () =>
          writeFileSync(path.join(compiler.outputPath, '.build-stamp'), new Date().toISOString() + '\n'),
        ),
    },
  ],
});
