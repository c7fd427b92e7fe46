// PostCSS for the renderer: Mantine's mixins and rem/em functions.
module.exports = {
  plugins: {
    'postcss-preset-mantine': {},
  },
};
