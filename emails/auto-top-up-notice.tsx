// Preview entry for `npm run email:dev`; the template lives with the app's code.
export { default } from '../src/shared/emails/auto-top-up-notice';
