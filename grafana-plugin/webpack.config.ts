// The scaffold's webpack config (.config/, left as generated), extended the way its README
// describes: nested plugins (datasource, panels) get the app's logo copied beside their plugin.json,
// and each panel its catalog screenshot (taken by test/live/datasource-shapes.test.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Compiler, Configuration } from 'webpack';
import scaffoldConfig, { type Env } from './.config/webpack/webpack.config.ts';

const nestedPlugins = ['datasource', 'panels/matrix', 'panels/timeofday', 'panels/geomap'];

export default async (env: Env): Promise<Configuration> => {
  const config = await scaffoldConfig(env);
  config.plugins = [
    ...(config.plugins ?? []),
    new CopyWebpackPlugin({
      patterns: [
        ...nestedPlugins.map((dir) => ({ from: 'img/logo.svg', to: `${dir}/img/logo.svg` })),
        ...['matrix', 'timeofday', 'geomap'].map((panel) => ({
          from: `img/screenshots/${panel}.png`,
          to: `panels/${panel}/img/screenshots/${panel}.png`,
        })),
      ],
    }),
    // webpack leaves unchanged files alone, so their age says nothing; this stamp says when the
    // last build finished (scripts/setup.mjs and the dist test compare it with the sources).
    {
      apply: (compiler: Compiler) =>
        compiler.hooks.afterEmit.tap('BuildStamp', () =>
          writeFileSync(join(compiler.outputPath, '.build-stamp'), new Date().toISOString() + '\n'),
        ),
    },
  ];
  // The bundled city table and world geometry are large on purpose; do not warn about them.
  config.performance = { hints: false };
  return config;
};
